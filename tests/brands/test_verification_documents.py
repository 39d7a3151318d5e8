"""Verification takes legal documents: a brand's NIB or NPWP, an NGO's foundation deed and SK
Kemenkumham. Files are PDF, JPEG or PNG by their content, at most 10 MB, private: only staff with
the verification reviewer role open them (each opening audited); members see names and dates."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brands import services
from brands.models import Organization, VerificationDocument, VerificationRequest
from marketplace.errors import ValidationFailed
from marketplace.models import AuditEvent
from marketplace.permissions import PAYOUT_REVIEWERS
from tests.marketplace.factories import UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa

pytestmark = pytest.mark.django_db

EVIDENCE = "https://kopi.example, instagram.com/kopinusantara"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(name: str, content: bytes = PDF, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit_url(org: Organization) -> str:
    return reverse("brands:verification_request", args=[org.slug])


def post(client, org, **files):
    return client.post(submit_url(org), {"evidence": EVIDENCE, **files})


def test_brand_uploads_its_nib_and_the_request_waits_with_the_document(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = post(client, brand_org, nib=upload("NIB Kopi Nusantara.pdf"), other=upload("logo.png", PNG))

    assert response.status_code == 302
    request = VerificationRequest.objects.get()
    assert request.status == VerificationRequest.Status.PENDING
    documents = list(request.documents.order_by("kind"))
    assert [(d.kind, d.original_name, d.size) for d in documents] == [
        ("nib", "NIB Kopi Nusantara.pdf", len(PDF)),
        ("other", "logo.png", len(PNG)),
    ]
    nib = documents[0]
    assert nib.organization == brand_org and nib.uploaded_by == brand_manager
    # Stored under our own name, with the extension the content showed, in the private storage.
    assert nib.file.name.startswith(f"verification/{brand_org.pk}/nib-") and nib.file.name.endswith(".pdf")
    with nib.file.open("rb") as stored:
        assert stored.read() == PDF
    assert documents[1].file.name.endswith(".png")
    uploads = AuditEvent.objects.filter(action="verification.document_uploaded", actor=brand_manager)
    assert sorted(event.data["kind"] for event in uploads) == ["nib", "other"]


def test_documents_are_stored_outside_media_and_have_no_url(client, settings, brand_org, brand_owner):
    client.force_login(brand_owner)
    post(client, brand_org, npwp=upload("npwp.jpg", JPEG, "image/jpeg"))

    document = VerificationDocument.objects.get()
    path = Path(document.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError, match="Private files have no URL"):
        document.file.url  # noqa: B018


def test_a_brand_without_nib_or_npwp_is_told_to_upload_one(client, brand_org, brand_owner):
    client.force_login(brand_owner)

    response = post(client, brand_org, other=upload("profile.pdf"))

    assert response.status_code == 400
    assert response.context["form"].errors["nib"] == [
        "Upload your NIB or your NPWP: Kolabo needs one of them to verify a brand."
    ]
    assert not VerificationRequest.objects.exists()
    assert not VerificationDocument.objects.exists()
    brand_org.refresh_from_db()
    assert brand_org.verification_status == Organization.VerificationStatus.UNVERIFIED


def test_an_ngo_must_send_both_the_foundation_deed_and_the_sk_kemenkumham(client, ngo_org, ngo_manager):
    client.force_login(ngo_manager)
    page = client.get(submit_url(ngo_org)).content.decode()
    assert "Foundation deed (akta pendirian)" in page
    assert "Ministry decree (SK Kemenkumham)" in page
    assert 'name="nib"' not in page

    only_deed = post(client, ngo_org, foundation_deed=upload("akta.pdf"))

    assert only_deed.status_code == 400
    errors = only_deed.context["form"].errors
    assert errors["sk_kemenkumham"] == [
        "Upload the ministry decree (SK Kemenkumham) that registers your NGO: it is needed too."
    ]
    assert "foundation_deed" not in errors
    assert not VerificationRequest.objects.exists()

    nothing = post(client, ngo_org)
    assert nothing.context["form"].errors["foundation_deed"] == [
        "Upload the foundation deed (akta pendirian): an NGO needs it to be verified."
    ]

    both = post(
        client, ngo_org, foundation_deed=upload("akta.pdf"), sk_kemenkumham=upload("sk.png", PNG, "image/png")
    )
    assert both.status_code == 302
    assert sorted(VerificationDocument.objects.values_list("kind", flat=True)) == [
        "foundation_deed",
        "sk_kemenkumham",
    ]


def test_a_brand_cannot_send_ngo_documents_through_the_service(brand_org, brand_owner):
    with pytest.raises(ValidationFailed) as caught:
        services.verification_request_submit(
            organization=brand_org,
            by_user=brand_owner,
            evidence=EVIDENCE,
            documents={"nib": upload("nib.pdf"), "foundation_deed": upload("akta.pdf")},
        )

    assert caught.value.field == "foundation_deed"
    assert not VerificationRequest.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "nib.docx",
            b"PK\x03\x04word",
            "NIB (business identification number): “nib.docx” is not a PDF, JPEG or PNG file. "
            "Upload the document in one of these formats.",
        ),
        (
            "nib.pdf",
            b"MZ\x90\x00 an executable renamed",
            "NIB (business identification number): the content of “nib.pdf” is not a real PDF, JPEG or PNG "
            "file, whatever its name says. Export or scan the document again and upload that.",
        ),
        (
            "nib.png",
            PDF,
            "NIB (business identification number): the content of “nib.png” is not a real PDF, JPEG or PNG "
            "file, whatever its name says. Export or scan the document again and upload that.",
        ),
    ],
)
def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_on_its_field(
    client, brand_org, brand_owner, name, content, message
):
    client.force_login(brand_owner)

    response = post(client, brand_org, nib=upload(name, content), npwp=upload("npwp.pdf"))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["nib"] == [message]
    assert "npwp" not in errors
    assert message in response.content.decode()
    assert not VerificationDocument.objects.exists()


def test_a_file_over_the_limit_is_refused_with_its_size(client, settings, brand_org, brand_owner):
    settings.VERIFICATION_DOCUMENT_MAX_MB = 1
    client.force_login(brand_owner)
    big = PDF + b"0" * (1024 * 1024)

    response = post(client, brand_org, npwp=upload("npwp-scan.pdf", big))

    assert response.status_code == 400
    assert response.context["form"].errors["npwp"] == [
        "NPWP (tax number): “npwp-scan.pdf” is 1.0\xa0MB; each document can be at most 1 MB. "
        "Scan it at a lower resolution, or save it as a PDF."
    ]
    assert not VerificationRequest.objects.exists()


def test_the_service_refuses_a_file_over_ten_megabytes(brand_org, brand_owner):
    big = upload("nib.pdf", PDF + b"0" * (10 * 1024 * 1024))

    with pytest.raises(ValidationFailed, match="each document can be at most 10 MB") as caught:
        services.verification_request_submit(
            organization=brand_org, by_user=brand_owner, evidence=EVIDENCE, documents={"nib": big}
        )

    assert caught.value.field == "nib"
    assert not VerificationDocument.objects.exists()


def test_members_see_names_and_dates_but_no_link_to_the_file(client, brand_org, brand_owner, brand_viewer):
    client.force_login(brand_owner)
    post(client, brand_org, nib=upload("NIB Kopi.pdf"))
    document = VerificationDocument.objects.get()

    client.force_login(brand_viewer)
    page = client.get(submit_url(brand_org)).content.decode()

    assert "NIB Kopi.pdf" in page
    assert "Only Kolabo staff who review verifications can open the documents." in page
    assert reverse("brands:verification_document", args=[document.pk]) not in page


def _document(org, owner) -> VerificationDocument:
    services.verification_request_submit(
        organization=org, by_user=owner, evidence=EVIDENCE, documents={"nib": upload("NIB Kopi.pdf")}
    )
    return VerificationDocument.objects.get()


def test_a_verification_reviewer_opens_the_document_from_the_queue_and_it_is_audited(
    client, brand_org, brand_owner, verification_reviewer
):
    document = _document(brand_org, brand_owner)
    login_with_mfa(client, verification_reviewer)

    queue = client.get(reverse("brands:verification_queue")).content.decode()
    url = reverse("brands:verification_document", args=[document.pk])
    assert url in queue
    assert "NIB Kopi.pdf" in queue
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "private" in response["Cache-Control"]
    viewed = AuditEvent.objects.get(action="verification.document_viewed")
    assert viewed.actor == verification_reviewer
    assert viewed.target_id == str(document.pk)
    assert viewed.data == {"organization": brand_org.pk, "kind": "nib"}


@pytest.mark.parametrize("who", ["owner", "outsider", "payout_reviewer"])
def test_anyone_but_a_verification_reviewer_gets_a_404(client, brand_org, brand_owner, outsider, who):
    document = _document(brand_org, brand_owner)
    if who == "owner":
        client.force_login(brand_owner)  # the organization's own owner
    elif who == "outsider":
        client.force_login(outsider)
    else:
        login_with_mfa(client, UserFactory(is_staff=True, staff_roles=[PAYOUT_REVIEWERS]))

    response = client.get(reverse("brands:verification_document", args=[document.pk]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="verification.document_viewed").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, brand_org, brand_owner):
    document = _document(brand_org, brand_owner)

    response = client.get(reverse("brands:verification_document", args=[document.pk]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_opening_service_refuses_anyone_without_the_role(brand_org, brand_owner):
    from marketplace.errors import PermissionDeniedError

    document = _document(brand_org, brand_owner)

    with pytest.raises(PermissionDeniedError):
        services.verification_document_open(document=document, by_user=brand_owner)
    assert not AuditEvent.objects.filter(action="verification.document_viewed").exists()
