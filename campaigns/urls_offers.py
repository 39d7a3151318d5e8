# PLACEHOLDER: replaced by the offers work.
urlpatterns = []
