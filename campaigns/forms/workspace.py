"""Input for the collaboration workspace. Forms check types; the services own the rules."""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Dispute
from platforms.selectors import publish_post_picker

# The publish form's post picker lists at most this many posts.
CHOICES = 12
PUBLISH_METRICS = ("views", "likes", "comments", "shares", "saves")
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


@dataclass(frozen=True)
class PostChoice:
    """One post the creator can pick: its link is what the form hands the service."""

    permalink: str
    posted_at: datetime
    caption: str = ""
    thumbnail_url: str = ""

    def __str__(self) -> str:
        return self.permalink


class PublishForm(forms.Form):
    """The published post's link and the numbers the creator sees.

    Given the deliverable, and where the creator has a live connection on its platform
    (platforms.selectors.publish_post_picker), it also offers the connection's posts since the
    collaboration started (`post`). A picked post is only its link: it reaches the service as
    `post_url`, which checks it like a pasted one, so a link from elsewhere is refused there.
    `live_posts` are the account's posts read just now ("Refresh my posts"), listed instead of the
    stored ones. The numbers are then not asked: the service takes the platform's. Without a
    connection the form is the link and the numbers, as always.
    """

    # No max_length: the picked link is cleaned as post_url, with its length limit.
    post = forms.CharField(label=_("Your post"), required=False, widget=forms.RadioSelect)
    post_url = forms.URLField(label=_("Link to the published post"), max_length=500, assume_scheme="https")
    views = forms.IntegerField(label=_("Views"), required=False, min_value=0)
    likes = forms.IntegerField(label=_("Likes"), required=False, min_value=0)
    comments = forms.IntegerField(label=_("Comments"), required=False, min_value=0)
    shares = forms.IntegerField(label=_("Shares"), required=False, min_value=0)
    saves = forms.IntegerField(label=_("Saves"), required=False, min_value=0)

    def __init__(self, *args, deliverable=None, live_posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.picked = False  # set by clean(): the link is a picked post, not a pasted one
        self.picker = None
        if deliverable is not None:
            live_ids = [post.external_id for post in live_posts] if live_posts is not None else None
            self.picker = publish_post_picker(deliverable, live_ids=live_ids, limit=CHOICES)
        if self.picker is None:
            del self.fields["post"]
            self.post_choices = []
            return
        self.post_choices = self._choices(live_posts)
        connection = self.picker.connection
        self.fields["post"].label = gettext("Your recent posts on %(platform)s @%(username)s") % {
            "platform": connection.get_platform_display(),
            "username": connection.username,
        }
        self.fields["post"].widget.choices = [(choice.permalink, choice) for choice in self.post_choices]
        self.fields["post_url"].required = False
        self.fields["post_url"].label = _("Or paste the link to your post")
        for name in PUBLISH_METRICS:
            del self.fields[name]  # a connected account's post brings the platform's numbers

    def _choices(self, live_posts) -> list[PostChoice]:
        """Newest first, at most CHOICES: the stored posts, or the ones just read with their stored
        thumbnails, leaving out what the date, the format or another deliverable rules out."""
        if live_posts is None:
            return [_choice(post, post) for post in self.picker.posts]
        stored = {post.external_id: post for post in self.picker.posts}
        choices = [
            _choice(post, stored.get(post.external_id))
            for post in live_posts
            if self.picker.fits(posted_at=post.posted_at, media_type=post.media_type)
            and not getattr(stored.get(post.external_id), "used_elsewhere", False)
        ]
        return sorted(choices, key=lambda choice: choice.posted_at, reverse=True)[:CHOICES]

    def clean(self):
        data = super().clean()
        if "post" not in self.fields:
            return data
        chosen, pasted = data.pop("post", ""), data.get("post_url")
        if chosen:
            try:
                chosen = self.fields["post_url"].clean(chosen)
            except forms.ValidationError:
                self.add_error("post", gettext("Choose one of the posts listed."))
                return data
            if pasted and pasted != chosen:
                self.add_error("post_url", gettext("Choose one of your posts or paste a link, not both."))
                return data
            data["post_url"], self.picked = chosen, True
        elif not pasted and "post_url" not in self.errors:
            self.add_error(
                "post_url", gettext("Choose one of your posts above, or paste the link to your post.")
            )
        return data

    def service_fields(self) -> dict:
        """What deliverable_publish takes."""
        return {name: self.cleaned_data.get(name) for name in ("post_url", *PUBLISH_METRICS)}


def _choice(post, stored) -> PostChoice:
    """A PostChoice from a stored PlatformPost or a post just read (thumbnails only from storage:
    the page's content security policy shows no image from the platform's servers)."""
    thumbnail = getattr(stored, "thumbnail", None)
    return PostChoice(
        permalink=post.permalink,
        posted_at=post.posted_at,
        caption=post.caption,
        thumbnail_url=thumbnail.url if thumbnail else "",
    )


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
