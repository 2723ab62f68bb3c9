"""Coverage, not mentions (issue 12), class by class, with the shipped watchlist and small ones:
lists and datelines, names inside other names and codes, homographs that need context, named
events, CPEC under other names, soft hyphens. English and Urdu, Persian where it applies."""

from __future__ import annotations

from pathlib import Path

import pytest

import matcher
from mediawatch.config import load_watchlist

ROOT = Path(__file__).resolve().parent.parent

# Sentences about something else, so that one mention stands in a longer text.
FILLER = (
    " The meeting also reviewed revenue targets for the coming year."
    " Officials said the figures would be published next month."
    " Opposition members asked for a debate on rising prices."
)
FILLER_UR = (
    " اجلاس میں آئندہ سال کے محصولات کے اہداف کا جائزہ بھی لیا گیا۔"
    " حکام نے کہا کہ اعداد و شمار اگلے ماہ جاری کیے جائیں گے۔"
    " حزب اختلاف کے ارکان نے مہنگائی پر بحث کا مطالبہ کیا۔"
)


@pytest.fixture(scope="module")
def shipped():
    return load_watchlist(ROOT)


def topics(m, text: str, title: str = "") -> set[str]:
    return {t.topic for t in m.match(title, text)}


# -- a mention is not coverage -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The bank has regional offices in Peshawar, Lahore, Karachi and Quetta." + FILLER,
        "Rain is expected in Punjab, Sindh, Balochistan and Khyber Pakhtunkhwa." + FILLER,
        "بینک کے علاقائی دفاتر پشاور، لاہور، کراچی اور کوئٹہ میں ہیں۔" + FILLER_UR,
        "پنجاب، سندھ، بلوچستان اور خیبر پختونخوا میں بارش کا امکان ہے۔" + FILLER_UR,
    ],
)
def test_a_place_in_a_list_of_places_is_not_coverage(shipped, text):
    assert "balochistan" not in topics(shipped, text)


@pytest.mark.parametrize(
    "text",
    [
        "QUETTA: The federal cabinet in Islamabad approved the budget for the coming year."
        + FILLER,
        "QUETTA, Mar 13 (APP): The State Bank kept its policy rate unchanged on Monday." + FILLER,
        "کوئٹہ: وفاقی کابینہ نے اسلام آباد میں آئندہ سال کا بجٹ منظور کر لیا۔" + FILLER_UR,
    ],
)
def test_a_dateline_is_where_a_story_was_filed_not_what_it_covers(shipped, text):
    assert "balochistan" not in topics(shipped, text)


@pytest.mark.parametrize(
    "text",
    [
        "A bomb exploded on Sariab Road in Quetta, killing three people.",
        "QUETTA: A bomb exploded on Sariab Road, killing three people. Police in Quetta said"
        " the device was planted on a motorcycle." + FILLER,
        "Floods hit Jhal Magsi, Kachhi, Sibi and Naseerabad, officials said." + FILLER,
        "کوئٹہ کے سریاب روڈ پر بم دھماکے میں تین افراد ہلاک ہو گئے۔",
    ],
)
def test_coverage_of_the_place_is_flagged(shipped, text):
    """A short report about the place, a story with more than its dateline, a list of the
    province's own districts."""
    assert "balochistan" in topics(shipped, text)


def test_a_place_someone_comes_from_is_not_where_the_story_happens(shipped):
    text = (
        "Major Sibtain Haider, a resident of the Quetta district, was martyred in an exchange of"
        " fire in Dera Ismail Khan." + FILLER
    )
    assert "balochistan" not in topics(shipped, text)
    topic = shipped.explain("", text)["topics"]["balochistan"]
    assert topic["counted"][0]["role"] == "origin: where someone comes from"
    protest = "Residents of Quetta blocked roads to protest 18-hour power outages."
    assert "balochistan" in topics(shipped, protest)
    counted = shipped.explain("", protest)["topics"]["balochistan"]["counted"]
    assert "role" not in counted[0]


@pytest.mark.parametrize(
    "text",
    [
        "The moon-sighting committee's meeting held in Quetta could not sight the moon, so Eid"
        " will be on Thursday across the country." + FILLER,
        "Iran's Consul General in Quetta said visas for pilgrims to Mashhad would be issued"
        " online from next month." + FILLER,
        "کوئٹہ میں منعقدہ رویت ہلال کمیٹی کے اجلاس میں چاند نظر نہیں آیا، عید جمعرات کو ہوگی۔"
        + FILLER_UR,
    ],
)
def test_a_place_named_only_as_a_venue_is_not_coverage(shipped, text):
    assert "balochistan" not in topics(shipped, text)
    topic = shipped.explain("", text)["topics"]["balochistan"]
    assert topic["counted"][0]["role"] == "venue: where people met or an envoy sits"


def test_a_weather_list_with_qualified_regions_is_a_list(shipped):
    text = (
        "Rain is expected in Punjab, Islamabad, Khyber Pakhtunkhwa, north and eastern"
        " Balochistan, Kashmir and Gilgit-Baltistan during the next 24 hours." + FILLER
    )
    assert "balochistan" not in topics(shipped, text)


def test_explain_says_why_a_mention_weighs_little(shipped):
    text = (
        "QUETTA, Mar 3 (APP): Rain is expected in Punjab, Sindh, Balochistan and Khyber"
        " Pakhtunkhwa." + FILLER
    )
    topic = shipped.explain("", text)["topics"]["balochistan"]
    roles = {c["term"]: c.get("role", "") for c in topic["counted"]}
    assert roles["QUETTA"] == "dateline: where the story was filed"
    assert roles["Balochistan"] == "item of a list of 4 (1 of them this topic's)"
    assert not topic["flagged"]
    assert topic["salience"]["mentions"] == 0 and topic["salience"]["discounted"] == 2


def test_a_list_of_armed_groups_names_the_bla_without_covering_it(shipped):
    text = (
        "The ministers said the TTP, ISIS, the Balochistan Liberation Army, ETIM and"
        " al-Qaeda must not find space in Afghanistan." + FILLER
    )
    assert "bla" not in topics(shipped, text)
    own = (
        "Officials said the BLA, its Majeed Brigade and the BLF attacked posts in Kech district"
        " of Balochistan." + FILLER
    )
    assert {"bla", "balochistan"} <= topics(shipped, own)


def test_a_name_and_its_acronym_in_brackets_are_one_mention():
    wl = {
        "entities": {
            "cpec": {
                "type": "project",
                "aliases": ["China-Pakistan Economic Corridor"],
                "acronyms": ["CPEC"],
            }
        },
        "topics": {"t": {"entities": ["cpec"], "min_score": 3}},
    }
    m = matcher.compile(wl)
    text = "Investment rose under the China-Pakistan Economic Corridor (CPEC)." + FILLER * 2
    assert topics(m, text) == set()  # one mention: 2
    assert topics(m, text + " CPEC projects resumed.") == {"t"}


# -- names inside other names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Gwadar Restaurant in Karachi's Clifton opened a new branch." + FILLER,
        "Kalat Motors of Lahore launched a new car." + FILLER,
        "Sui Southern Gas Company raised tariffs in Karachi." + FILLER,
        "The Quetta Electric Supply Company was audited in Islamabad." + FILLER,
        "Residents of Quetta Town in Karachi protested power cuts." + FILLER,
        "سوئی ناردرن گیس کمپنی نے لاہور میں گیس کے نرخ بڑھا دیے۔" + FILLER_UR,
        "کوئٹہ گلیڈی ایٹرز نے لاہور قلندرز کو ہرا دیا۔" + FILLER_UR,
    ],
)
def test_a_watched_name_inside_a_business_team_or_neighbourhood_name(shipped, text):
    assert "balochistan" not in topics(shipped, text)


def test_a_plain_noun_blocks_only_as_part_of_a_name(shipped):
    """ "Quetta Town" is a neighbourhood of Karachi; "in Quetta town" is Quetta."""
    assert "balochistan" not in topics(shipped, "Residents of Quetta Town in Karachi protested.")
    assert "balochistan" in topics(shipped, "Shops stayed shut in Quetta town after the blast.")


def test_business_words_are_one_group_used_by_every_name():
    wl = {
        "groups": {"business": ["Restaurant*", "Motors", "Gas {Company,Pipelines}"]},
        "entities": {
            "places": {
                "type": "place",
                "aliases": ["Gwadar", "Kalat", "Sui"],
                "not_before": [{"group": "business"}],
            }
        },
        "topics": {"t": {"entities": ["places"]}},
    }
    m = matcher.compile(wl)
    assert topics(m, "Gwadar Restaurants") == set()
    assert topics(m, "Kalat Motors") == set()
    assert topics(m, "Sui Gas Company") == set()
    assert topics(m, "Gwadar, Kalat and Sui") == {"t"}
    why = m.explain("", "Kalat Motors")["topics"]["t"]["not_counted"][0]["why"]
    assert why == "right before 'Motors' (not_before)"


@pytest.mark.parametrize(
    "text",
    [
        "The aircraft, registration AP-BLA, landed safely in Karachi, Pakistan.",
        "Flight BLA-320 from Islamabad, Pakistan was delayed.",
    ],
)
def test_an_acronym_inside_a_code_is_not_the_group(shipped, text):
    assert "bla" not in topics(shipped, text)
    assert "bla" in topics(shipped, "The BLA attacked a post in Pakistan's Balochistan.")


def test_the_code_class_is_refused_where_it_means_nothing():
    wl = {
        "entities": {
            "x": {"type": "place", "aliases": [{"form": "BLA", "not_in": [{"class": "code"}]}]}
        },
        "topics": {"t": {"entities": ["x"]}},
    }
    with pytest.raises(matcher.WatchlistError, match="goes in not_after or not_before"):
        matcher.compile(wl)


# -- homographs ------------------------------------------------------------------------------------


def test_urdu_kech_is_a_catch_unless_a_district_or_place_is_near(shipped):
    cricket = "بابر اعظم نے سلپ میں شاندار کیچ پکڑا اور پاکستان نے میچ جیت لیا۔" + FILLER_UR
    assert "balochistan" not in topics(shipped, cricket)
    district = "ضلع کیچ میں فائرنگ سے دو افراد ہلاک ہو گئے۔"
    assert "balochistan" in topics(shipped, district)
    topic = shipped.explain("", district)["topics"]["balochistan"]
    kech = next(c for c in topic["counted"] if c["term"] == "کیچ")
    assert kech["context"] == "context 'ضلع' ('ضلع') found within 8 words"


def test_persian_pishin_is_former_unless_beside_a_place(shipped):
    former = "محمد رودباری مدیرکل پیشین اداره راهداری استان همدان از خدمات خود گفت."
    assert "sistan-baluchestan" not in topics(shipped, former)
    town = "در حمله به پاسگاه مرزی پیشین در شهرستان سرباز دو مرزبان کشته شدند."
    assert "sistan-baluchestan" in topics(shipped, town)


def test_the_sistan_wind_is_a_name_not_the_province(shipped):
    wind = "از حدود بیستم اسفندماه، باد 120 روزه سیستان در این منطقه می‌وزد و هوا گرم می‌شود."
    assert "sistan-baluchestan" not in topics(shipped, wind)


def test_an_alias_can_be_marked_to_need_context_near_it():
    wl = {
        "entities": {
            "kech": {
                "type": "place",
                "aliases": [{"form": "کیچ", "context": ["ضلع", "تربت"], "within": 4}],
            }
        },
        "topics": {"t": {"entities": ["kech"]}},
    }
    m = matcher.compile(wl)
    assert topics(m, "ضلع کیچ") == {"t"}
    assert topics(m, "کیچ پکڑا") == set()
    assert topics(m, "ضلع " + "لفظ " * 6 + "کیچ") == set()  # too far


# -- named events ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Jaffar Express hijacking left 26 hostages dead.", {"bla", "balochistan"}),
        ("جعفر ایکسپریس ہائی جیکنگ کے بعد ریلوے سروس معطل رہی۔", {"bla", "balochistan"}),
        ("پس از ربودن قطار جعفر اکسپرس، خدمات راه‌آهن متوقف شد.", {"bla", "balochistan"}),
        (
            "The Karachi University suicide attack killed three Chinese teachers.",
            {"cpec", "bla", "balochistan"},
        ),
        ("کراچی یونیورسٹی خودکش حملہ کی تحقیقات مکمل ہو گئیں۔", {"cpec", "bla", "balochistan"}),
        ("Shari Baloch blew herself up outside the institute.", {"cpec", "bla", "balochistan"}),
        ("Chinese convoy in Gwadar came under fire on Sunday.", {"cpec", "bla", "balochistan"}),
        ("The Besham attack killed five Chinese engineers.", {"cpec"}),
    ],
)
def test_known_events_imply_their_topics_without_naming_them(shipped, text, expected):
    assert expected <= topics(shipped, text)


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen attacked a van carrying Chinese engineers in Karachi, police said.",
        "کراچی میں چینی انجینئرز کی گاڑی پر حملہ ہوا، پولیس نے بتایا۔",
    ],
)
def test_an_attack_on_chinese_nationals_in_pakistan_is_cpec(shipped, text):
    assert "cpec" in topics(shipped, text)
    abroad = "Gunmen attacked a van carrying Chinese engineers in Tajikistan, police said."
    assert "cpec" not in topics(shipped, abroad)


# -- CPEC under other names, soft hyphens -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Work on the Pak-China corridor picked up pace in 2024.",
        "Pakistan would work with China on the economic corridor between the two countries,"
        " the prime minister said.",
        "پاک چین اقتصادی راہداری کے دوسرے مرحلے کا آغاز ہو گیا۔",
        "چین پاکستان راہداری پر کام تیز ہو گیا۔",
        "کریدور اقتصادی چین و پاکستان به بندر گوادر می‌رسد.",
        "کریدور اقتصادی چین از کاشغر تا گوادر پاکستان کشیده می‌شود.",
    ],
)
def test_cpec_under_other_names(shipped, text):
    assert "cpec" in topics(shipped, text)


@pytest.mark.parametrize(
    "text",
    [
        "Kartarpur راہداری کھول دی گئی اور سکھ یاتری پاکستان پہنچ گئے۔",
        "The India-Middle East-Europe Economic Corridor was discussed; China and Pakistan"
        " were not part of it.",
        "کریدور اقتصادی شمال جنوب از ایران می‌گذرد.",
    ],
)
def test_other_corridors_are_not_cpec(shipped, text):
    assert "cpec" not in topics(shipped, text)


def test_soft_hyphens_are_invisible(shipped):
    text = "Bal\u00adochis\u00adtan: militants of the Majeed Bri\u00adgade attacked a camp in Tur\u00adbat."
    found = {m.topic: m for m in shipped.match("", text)}
    assert {"balochistan", "bla"} <= set(found)
    names = {e["name"] for e in found["balochistan"].entities}
    assert {"Balochistan", "Turbat"} <= names


def test_the_compiled_matcher_pickles_for_the_crawl_cache(shipped):
    """A crawl process may cache the compiled watchlist: it must survive pickling unchanged."""
    import pickle

    again = pickle.loads(pickle.dumps(shipped))
    text = "QUETTA: The Balochistan Liberation Army (BLA) attacked a Chinese convoy in Gwadar."
    assert [m.to_dict() for m in again.match("", text)] == [
        m.to_dict() for m in shipped.match("", text)
    ]
