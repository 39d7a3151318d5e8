app_name = "tracking"

# Routes are added by tracking.views.links (short links, QR codes) and tracking.views.conversions
# (goals, postback, pixel, CSV uploads).
urlpatterns: list = []
