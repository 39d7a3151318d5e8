# PLACEHOLDER: replaced by the workspace work.
urlpatterns = []
