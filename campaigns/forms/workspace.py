"""Input for the collaboration workspace. Forms check types; the services own the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Dispute

ACCEPTED_UPLOADS = "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,video/webm,application/pdf"


class SubmissionForm(forms.Form):
    link = forms.URLField(
        label=_("Link to your draft"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A private link the organization can open: Google Drive, Dropbox, an unlisted video."),
    )
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The caption you plan to post, with the required hashtags and disclosure."),
    )
    file = forms.FileField(
        label=_("Or upload the file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )

    def __init__(self, *args, max_mb: int = 50, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "JPEG, PNG or WebP image, MP4, MOV or WebM video, or PDF; at most %(max)s MB."
        ) % {"max": max_mb}


class ReviewForm(forms.Form):
    APPROVE = "approve"
    CHANGES = "changes"

    action = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (CHANGES, _("Request changes"))], widget=forms.HiddenInput
    )
    feedback = forms.CharField(
        label=_("Feedback"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you request changes: say exactly what should change."),
    )


class PublishForm(forms.Form):
    post_url = forms.URLField(label=_("Link to the published post"), max_length=500, assume_scheme="https")
    views = forms.IntegerField(label=_("Views"), required=False, min_value=0)
    likes = forms.IntegerField(label=_("Likes"), required=False, min_value=0)
    comments = forms.IntegerField(label=_("Comments"), required=False, min_value=0)
    shares = forms.IntegerField(label=_("Shares"), required=False, min_value=0)
    saves = forms.IntegerField(label=_("Saves"), required=False, min_value=0)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The other side reads this in their notification."),
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("What went wrong?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Kolabo staff read this, the drafts and the messages, then decide."),
    )


class DisputeResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Dispute.Outcome.choices, widget=forms.RadioSelect
    )
    resolution = forms.CharField(
        label=_("Note to both sides"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        help_text=_("5 is excellent, 1 is poor."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Shown with the rating."),
    )
