from django.contrib import admin

from . import models


@admin.register(models.Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "lesson", "version", "running", "updated")
    list_filter = ("running", "lesson")
    search_fields = ("name", "slug")
    readonly_fields = ("version", "state", "ticked_at", "created", "updated")


class KubeObjectAdmin(admin.ModelAdmin):
    list_display = ("name", "namespace", "cluster", "owner_kind", "owner_name", "resource_version", "seq")
    list_filter = ("cluster", "namespace", "owner_kind")
    search_fields = ("name", "namespace", "uid")
    readonly_fields = ("uid", "resource_version", "seq", "owner_uid", "owner_kind", "owner_name")
    list_select_related = ("cluster",)


for _kind, _model in models.KIND_MODELS.items():
    admin.site.register(_model, KubeObjectAdmin)
