"""Random walks through the whole lifecycle, through the real services and database.

Every step may be refused (that is the point: illegal moves must be refused cleanly); after every
step the invariants must hold.
"""

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from brands.models import Membership
from campaigns.models import Application, Collaboration, CollaborationDeliverable, Invitation
from campaigns.services import applications, campaign_closing, drafts, invitations, publishing, workspace
from campaigns.services.collaborations import summary_status
from creators.models import DeliverableFormat, Platform
from marketplace.errors import DomainError
from marketplace.models import AuditEvent
from payments.services.escrow import funding_record_paid
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.campaigns.factories import CampaignFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

CREATORS = 4
# What the walks reached, so the test can prove it explored the whole lifecycle.
REACHED: Counter = Counter()
SETTINGS = settings(
    max_examples=40,
    derandomize=True,  # the same walks every run, so CI is reproducible
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


COUNTER_FEE = Decimal("1500000")


def legal(model, from_status, to_status) -> bool:
    return to_status in model.TRANSITIONS[from_status]


class Lifecycle(RuleBasedStateMachine):
    @initialize(
        slots=st.integers(min_value=1, max_value=3),
        specs=st.lists(
            st.sampled_from([DeliverableFormat.REEL, DeliverableFormat.STORY]), min_size=1, max_size=2
        ),
        rounds=st.integers(min_value=0, max_value=2),
    )
    def setup(self, slots, specs, rounds):
        organization = OrganizationFactory()
        self.manager = MembershipFactory(organization=organization, role=Membership.Role.MANAGER).user
        self.campaign = CampaignFactory(
            organization=organization,
            slots=slots,
            review_rounds=rounds,
            deliverables=[(Platform.INSTAGRAM, fmt, 1) for fmt in specs],
            funded=False,
        )
        # Escrow for every slot at the highest fee the walk agrees to (a counter-offer), so that
        # funding never blocks the lifecycle this machine explores (tests/payments covers that).
        funding_record_paid(campaign=self.campaign, amount=COUNTER_FEE * slots, note="State machine")
        self.creators = []
        for _ in range(CREATORS):
            profile = CreatorProfileFactory()
            SocialAccountFactory(profile=profile)
            self.creators.append(profile)
        self.frozen_fees: dict[int, Decimal] = {}
        self.audit_seen = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # -- helpers ---------------------------------------------------------------------------------

    def attempt(self, action, **kwargs):
        # A refused move is a legal outcome; the invariants say whether the state stayed sound.
        try:
            action(**kwargs)
        except DomainError:
            REACHED[f"refused {action.__name__}"] += 1

    def collaborations(self):
        return list(Collaboration.objects.filter(campaign=self.campaign).order_by("pk"))

    def deliverable(self, index: int):
        items = list(
            CollaborationDeliverable.objects.filter(collaboration__campaign=self.campaign).order_by("pk")
        )
        return items[index % len(items)] if items else None

    # -- offers ----------------------------------------------------------------------------------

    @rule(i=st.integers(0, CREATORS - 1), counter=st.booleans())
    def apply(self, i, counter):
        fee = COUNTER_FEE if counter else Decimal("1000000")
        creator = self.creators[i]
        self.attempt(
            applications.application_create,
            campaign=self.campaign,
            creator=creator,
            by_user=creator.user,
            pitch="Saya suka kopi.",
            proposed_fee=fee,
        )

    @rule(i=st.integers(0, CREATORS - 1))
    def accept_application(self, i):
        application = Application.objects.filter(campaign=self.campaign, creator=self.creators[i]).first()
        if application:
            self.attempt(applications.application_accept, application=application, by_user=self.manager)

    @rule(i=st.integers(0, CREATORS - 1))
    def withdraw_application(self, i):
        application = Application.objects.filter(campaign=self.campaign, creator=self.creators[i]).first()
        if application:
            self.attempt(
                applications.application_withdraw, application=application, by_user=self.creators[i].user
            )

    @rule(i=st.integers(0, CREATORS - 1))
    def invite(self, i):
        self.attempt(
            invitations.invitation_create,
            campaign=self.campaign,
            by_user=self.manager,
            creator=self.creators[i],
            offered_fee=Decimal("900000"),
        )

    @rule(
        i=st.integers(0, CREATORS - 1),
        how=st.sampled_from(["accept", "decline", "counter", "counter_accept"]),
    )
    def answer_invitation(self, i, how):
        invitation = (
            Invitation.objects.filter(campaign=self.campaign, creator=self.creators[i])
            .order_by("-pk")
            .first()
        )
        if invitation is None:
            return
        creator_user = self.creators[i].user
        if how == "accept":
            self.attempt(invitations.invitation_accept, invitation=invitation, by_user=creator_user)
        elif how == "decline":
            self.attempt(invitations.invitation_decline, invitation=invitation, by_user=creator_user)
        elif how == "counter":
            self.attempt(
                invitations.invitation_counter,
                invitation=invitation,
                by_user=creator_user,
                fee=Decimal("1200000"),
            )
        else:
            self.attempt(invitations.invitation_counter_accept, invitation=invitation, by_user=self.manager)

    # -- workspace -------------------------------------------------------------------------------

    @rule(d=st.integers(0, 20), variant=st.integers(0, 2))
    def submit(self, d, variant):
        deliverable = self.deliverable(d)
        if deliverable:
            self.attempt(
                drafts.submission_create,
                deliverable=deliverable,
                by_user=deliverable.collaboration.creator.user,
                link=f"https://drive.example.com/draft-{variant}",
                caption="Draft",
            )

    @rule(d=st.integers(0, 20), approve=st.booleans())
    def review(self, d, approve):
        deliverable = self.deliverable(d)
        submission = deliverable.submissions.order_by("-round").first() if deliverable else None
        if submission is None:
            return
        if approve:
            self.attempt(drafts.submission_approve, submission=submission, by_user=self.manager)
        else:
            self.attempt(
                drafts.submission_request_changes,
                submission=submission,
                by_user=self.manager,
                feedback="Lebih terang.",
            )

    @rule(d=st.integers(0, 20))
    def publish(self, d):
        deliverable = self.deliverable(d)
        if deliverable:
            self.attempt(
                publishing.deliverable_publish,
                deliverable=deliverable,
                by_user=deliverable.collaboration.creator.user,
                post_url="https://instagram.com/p/abc",
                views=1000,
                likes=100,
            )

    @rule(d=st.integers(0, 20))
    def confirm(self, d):
        deliverable = self.deliverable(d)
        if deliverable:
            self.attempt(publishing.deliverable_confirm, deliverable=deliverable, by_user=self.manager)

    @rule()
    def advance_everything(self):
        """Take the natural next steps everywhere, so walks reach the end of the lifecycle."""
        for application in Application.objects.filter(campaign=self.campaign, status__in=Application.OPEN):
            self.attempt(applications.application_accept, application=application, by_user=self.manager)
        status = CollaborationDeliverable.Status
        items = list(
            CollaborationDeliverable.objects.filter(collaboration__campaign=self.campaign).order_by("pk")
        )
        for index, deliverable in enumerate(items):
            if deliverable.status in (status.PENDING, status.CHANGES_REQUESTED):
                self.submit(index, 0)
            elif deliverable.status == status.SUBMITTED:
                self.review(index, approve=True)
            elif deliverable.status == status.APPROVED:
                self.publish(index)
            elif deliverable.status == status.PUBLISHED:
                self.confirm(index)

    @rule(c=st.integers(0, 5), by_creator=st.booleans())
    def cancel(self, c, by_creator):
        collaborations = self.collaborations()
        if collaborations:
            collaboration = collaborations[c % len(collaborations)]
            actor = collaboration.creator.user if by_creator else self.manager
            self.attempt(
                workspace.collaboration_cancel,
                collaboration=collaboration,
                by_user=actor,
                reason="Plans changed.",
            )

    @rule(dice=st.integers(0, 9))
    def close_campaign(self, dice):
        if dice:
            return  # closing ends most walks early; keep it rare
        self.attempt(campaign_closing.campaign_close, campaign=self.campaign, by_user=self.manager)

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def slots_are_never_exceeded(self):
        taken = (
            Collaboration.objects.filter(campaign=self.campaign)
            .exclude(status=Collaboration.Status.CANCELLED)
            .count()
        )
        assert taken <= self.campaign.slots

    @invariant()
    def fee_never_changes_after_acceptance(self):
        for collaboration in self.collaborations():
            frozen = self.frozen_fees.setdefault(collaboration.pk, collaboration.fee)
            assert collaboration.fee == frozen

    @invariant()
    def no_transition_skips_a_state(self):
        models = {
            "collaborationdeliverable": CollaborationDeliverable,
            "application": Application,
            "invitation": Invitation,
        }
        events = (
            AuditEvent.objects.filter(pk__gt=self.audit_seen).select_related("target_type").order_by("pk")
        )
        for event in events:
            model = models.get(event.target_type.model)
            if model is not None and event.from_status and event.to_status:
                assert legal(model, event.from_status, event.to_status), (
                    f"{event.action}: {event.from_status} → {event.to_status}"
                )
            self.audit_seen = event.pk

    @invariant()
    def completed_means_everything_published_and_confirmed(self):
        for collaboration in self.collaborations():
            statuses = set(collaboration.deliverables.values_list("status", flat=True))
            REACHED[collaboration.status] += 1
            if collaboration.status == Collaboration.Status.COMPLETED:
                assert statuses == {CollaborationDeliverable.Status.CONFIRMED}
                assert not collaboration.deliverables.filter(post_url="").exists()
            if collaboration.status in Collaboration.LIVE:
                assert collaboration.status == summary_status(list(statuses))


def test_lifecycle_invariants_hold_under_random_walks():
    REACHED.clear()

    run_state_machine_as_test(Lifecycle, settings=SETTINGS)

    # The walks must reach the end of the lifecycle, and the services must have refused moves.
    assert REACHED[Collaboration.Status.COMPLETED] > 0, REACHED
    assert REACHED[Collaboration.Status.CANCELLED] > 0, REACHED
    assert REACHED["refused application_accept"] + REACHED["refused submission_create"] > 0, REACHED
