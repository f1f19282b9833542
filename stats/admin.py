"""The platform operator's pages of the municipality roll-up: municipalities and the methodologists attached to them.

A methodologist is an ordinary account (made in «Пользователи») attached here to a municipality; it becomes a
member of no organisation and reads only the statistics of the municipality's organisations."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .areas import area_key, area_organisations
from .models import Area, AreaMethodologist


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ("region", "municipality")
        help_texts = {
            "region": _("Как в профиле организаций, например «Республика Бурятия»."),
            "municipality": _(
                "Как в профиле организаций, например «Селенгинский район». Регистр, лишние пробелы и «ё» не важны."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        region, municipality = cleaned.get("region", ""), cleaned.get("municipality", "")
        if region and municipality:
            keys = {"region_key": area_key(region), "municipality_key": area_key(municipality)}
            same = Area.objects.filter(**keys).exclude(pk=self.instance.pk).first()
            if same is not None:
                raise forms.ValidationError(_("Такой муниципалитет уже есть: «%(area)s».") % {"area": same})
            self.instance.region_key, self.instance.municipality_key = keys["region_key"], keys["municipality_key"]
            cleaned["region"], cleaned["municipality"] = " ".join(region.split()), " ".join(municipality.split())
        return cleaned


class MethodologistInline(admin.TabularInline):
    model = AreaMethodologist
    extra = 1
    autocomplete_fields = ("user",)
    fields = ("user", "created_at")
    readonly_fields = ("created_at",)
    verbose_name = _("методист")
    verbose_name_plural = _("методисты (видят только статистику организаций муниципалитета)")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaForm
    list_display = ("municipality", "region", "methodologist_count")
    search_fields = ("municipality", "region")
    inlines = (MethodologistInline,)

    def get_fields(self, request, obj=None):
        return ("region", "municipality", "organisation_names") if obj else ("region", "municipality")

    def get_readonly_fields(self, request, obj=None):
        return ("organisation_names",) if obj else ()

    @admin.display(description=_("организации муниципалитета на портале"))
    def organisation_names(self, area):
        return ", ".join(o.short_name for o in area_organisations(area)) or "—"

    @admin.display(description=_("методистов"))
    def methodologist_count(self, area):
        return area.methodologists.count()


@admin.register(AreaMethodologist)
class AreaMethodologistAdmin(admin.ModelAdmin):
    list_display = ("user", "area", "created_at")
    list_select_related = ("user", "area")
    autocomplete_fields = ("user", "area")
    search_fields = ("user__last_name", "user__phone", "user__email", "area__municipality")
    fields = ("area", "user")
