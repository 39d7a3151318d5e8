def navigation(request):
    """What the navigation bar needs to show the right links for each role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(user.memberships.select_related("organization").order_by("organization__name"))
    return {
        "nav_memberships": memberships,
        "nav_is_creator": hasattr(user, "creator_profile"),
        "nav_unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
