"""The policies API (/api/v1/): one module per part, the routes in `urls.py`, included by `portal/api/urls.py`."""
