"""The admin, for administrators: it looks (every kind, clusters, classes, students) and deletes
clusters through the services; it never edits rows (writes go through the services, so the
engine, the versions and the watchers stay right). Every request asks `permissions` first."""

from django.contrib import admin

from . import models, permissions, services


def _allowed(request, obj=None) -> bool:
    actor = permissions.actor_for(request.user, request.session)
    target = obj if isinstance(obj, models.Cluster | models.Classroom) else None
    return permissions.decide(actor, permissions.Action.ADMIN, target).allowed


class DecidedAdmin(admin.ModelAdmin):
    """Looks only: no adding, no changing rows here."""

    def has_module_permission(self, request):
        return _allowed(request)

    def has_view_permission(self, request, obj=None):
        return _allowed(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Cluster)
class ClusterAdmin(DecidedAdmin):
    list_display = ("name", "slug", "role", "classroom", "lesson", "version", "running", "last_activity")
    list_filter = ("role", "running", "lesson")
    search_fields = ("name", "slug")

    def has_delete_permission(self, request, obj=None):
        return _allowed(request, obj)

    def delete_model(self, request, obj):
        services.cluster_delete(cluster=obj)

    def delete_queryset(self, request, queryset):
        for cluster in queryset:
            services.cluster_delete(cluster=cluster)


@admin.register(models.Classroom)
class ClassroomAdmin(DecidedAdmin):
    list_display = ("name", "join_code", "joining_open", "owner", "lesson", "created")
    list_filter = ("joining_open",)
    search_fields = ("name", "join_code")


@admin.register(models.Student)
class StudentAdmin(DecidedAdmin):
    list_display = ("display_name", "classroom", "removed", "joined", "last_seen")
    list_filter = ("removed", "classroom")
    search_fields = ("display_name",)
    exclude = ("rejoin_hash",)


class KubeObjectAdmin(DecidedAdmin):
    list_display = ("name", "namespace", "cluster", "owner_kind", "owner_name", "resource_version", "seq")
    list_filter = ("cluster", "namespace", "owner_kind")
    search_fields = ("name", "namespace", "uid")
    list_select_related = ("cluster",)


for _kind, _model in models.KIND_MODELS.items():
    admin.site.register(_model, KubeObjectAdmin)
