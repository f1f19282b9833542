from celery import shared_task


@shared_task
def run_promotion(promotion_id: int) -> str:
    """Apply a confirmed year-end promotion; running it again changes nothing."""
    from .services.promotion_job import promotion_run

    promotion = promotion_run(promotion_id)
    return promotion.status if promotion else ""
