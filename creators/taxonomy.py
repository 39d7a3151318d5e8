"""The seeded niche and cause taxonomy: (slug, English name, Indonesian name), and the languages list.

Niches and causes are loaded by a data migration and kept here so tests and the demo share one source.
"""

from django.utils.translation import gettext_lazy as _

NICHES = [
    ("fashion", "Fashion", "Fesyen"),
    ("beauty", "Beauty", "Kecantikan"),
    ("food", "Food & culinary", "Makanan & kuliner"),
    ("travel", "Travel", "Perjalanan"),
    ("parenting-family", "Parenting & family", "Parenting & keluarga"),
    ("fitness", "Fitness", "Kebugaran"),
    ("personal-finance", "Personal finance", "Keuangan pribadi"),
    ("tech", "Tech", "Teknologi"),
    ("gaming", "Gaming", "Gim"),
    ("education", "Education", "Pendidikan"),
    ("diy-crafts", "DIY & crafts", "DIY & kerajinan"),
    ("pets", "Pets", "Hewan peliharaan"),
    ("interior-home", "Interior & home", "Interior & rumah"),
    ("mental-health", "Mental health", "Kesehatan mental"),
    ("zero-waste", "Zero-waste & sustainability", "Nol sampah & keberlanjutan"),
    ("health", "Health", "Kesehatan"),
    ("music", "Music", "Musik"),
    ("photography", "Photography", "Fotografi"),
    ("sports", "Sports", "Olahraga"),
    ("automotive", "Automotive", "Otomotif"),
    ("books", "Books & literacy", "Buku & literasi"),
    ("comedy", "Comedy & entertainment", "Komedi & hiburan"),
    ("lifestyle", "Lifestyle", "Gaya hidup"),
    ("modest-fashion", "Modest fashion", "Fesyen muslim"),
]

# Niches close enough that a brief's audience overlaps: offered as a separate, labelled list when
# too few creators share the brief's own niches (campaigns.recommendations). Written one way here;
# related_niches() reads them both ways.
_RELATED_PAIRS = [
    ("fashion", "modest-fashion"),
    ("fashion", "beauty"),
    ("fashion", "lifestyle"),
    ("modest-fashion", "beauty"),
    ("beauty", "health"),
    ("food", "health"),
    ("food", "travel"),
    ("food", "lifestyle"),
    ("travel", "photography"),
    ("travel", "lifestyle"),
    ("parenting-family", "education"),
    ("parenting-family", "health"),
    ("parenting-family", "interior-home"),
    ("fitness", "health"),
    ("fitness", "sports"),
    ("personal-finance", "education"),
    ("personal-finance", "tech"),
    ("tech", "gaming"),
    ("tech", "photography"),
    ("gaming", "comedy"),
    ("education", "books"),
    ("diy-crafts", "interior-home"),
    ("diy-crafts", "zero-waste"),
    ("pets", "lifestyle"),
    ("interior-home", "lifestyle"),
    ("mental-health", "health"),
    ("mental-health", "books"),
    ("zero-waste", "lifestyle"),
    ("music", "comedy"),
    ("sports", "automotive"),
]


def related_niches(slugs) -> set[str]:
    """The niches related to any of `slugs`, without `slugs` themselves."""
    wanted = set(slugs)
    related = {b for a, b in _RELATED_PAIRS if a in wanted} | {a for a, b in _RELATED_PAIRS if b in wanted}
    return related - wanted


CAUSES = [
    ("environment", "Environment & climate", "Lingkungan & iklim"),
    ("education-access", "Access to education", "Akses pendidikan"),
    ("health-access", "Public health", "Kesehatan masyarakat"),
    ("mental-health-awareness", "Mental health awareness", "Kesadaran kesehatan mental"),
    ("gender-equality", "Gender equality", "Kesetaraan gender"),
    ("child-welfare", "Child welfare", "Kesejahteraan anak"),
    ("animal-welfare", "Animal welfare", "Kesejahteraan hewan"),
    ("disaster-relief", "Disaster relief", "Tanggap bencana"),
    ("poverty", "Poverty & hunger", "Kemiskinan & kelaparan"),
    ("disability-inclusion", "Disability inclusion", "Inklusi disabilitas"),
    ("financial-literacy", "Financial literacy", "Literasi keuangan"),
    ("waste-reduction", "Waste reduction", "Pengurangan sampah"),
    ("ocean-conservation", "Ocean conservation", "Konservasi laut"),
    ("digital-literacy", "Digital literacy", "Literasi digital"),
]

# Languages a creator speaks or an audience uses: (ISO 639-1 code, English name).
# A fixed list keeps filters predictable; add a language here when creators ask for it.
LANGUAGES = [
    ("id", _("Indonesian")),
    ("en", _("English")),
    ("jv", _("Javanese")),
    ("su", _("Sundanese")),
    ("ms", _("Malay")),
    ("zh", _("Chinese")),
    ("ar", _("Arabic")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
    ("hi", _("Hindi")),
    ("th", _("Thai")),
    ("vi", _("Vietnamese")),
    ("tl", _("Tagalog")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("de", _("German")),
    ("pt", _("Portuguese")),
]
LANGUAGE_NAMES = dict(LANGUAGES)
