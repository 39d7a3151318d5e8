# PLACEHOLDER: replaced by the briefs work.
urlpatterns = []
