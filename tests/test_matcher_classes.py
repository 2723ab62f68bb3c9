"""More classes of issue 12, found on passages the watchlist was not written against: Urdu words
that are also place names, a province's one mention in a story about something else, Persian
agency datelines, a story's lead after a standfirst, a town the text goes on about, Urdu
"چینی" (sugar), a visit's destination, examples of one cue, attacks known by description.
English, Urdu and Persian; each case beside the coverage it must not be confused with."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediawatch.config import load_watchlist

ROOT = Path(__file__).resolve().parent.parent

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
FILLER_FA = (
    " در این نشست اهداف درآمدی سال آینده نیز بررسی شد."
    " مسئولان گفتند ارقام ماه آینده منتشر می‌شود."
    " نمایندگان مخالف خواستار بحث درباره افزایش قیمت‌ها شدند."
)


@pytest.fixture(scope="module")
def shipped():
    return load_watchlist(ROOT)


def topics(m, text: str, title: str = "") -> set[str]:
    return {t.topic for t in m.match(title, text)}


def counted(m, text: str, topic: str, term: str) -> dict:
    """The explanation of one counted mention (its weight, role, context)."""
    found = m.explain("", text)["topics"][topic]
    return next(c for c in found["counted"] if c["term"] == term)


# -- Urdu place names that are everyday words --------------------------------------------------


@pytest.mark.parametrize(
    ("word", "common", "place"),
    [
        (
            "چمن",  # garden / Chaman
            "شاعر نے غزل میں چمن کی بہار کا ذکر کیا اور پاکستان بھر سے آئے شعرا نے داد دی۔"
            " مشاعرے میں چمن کی خوشبو اور بلبل کے نغموں پر نظمیں سنائی گئیں۔",
            "چمن میں پاک افغان سرحد پر باب دوستی کو تجارت کے لیے کھول دیا گیا ہے۔",
        ),
        (
            "زیارت",  # pilgrimage / Ziarat
            "ہزاروں زائرین نے داتا دربار کی زیارت کی اور پاکستان کی سلامتی کی دعا کی۔"
            " زیارت کے بعد زائرین کے لیے لنگر کا اہتمام کیا گیا۔",
            "زیارت میں شدید برفباری کے بعد ضلعی انتظامیہ نے سیاحوں کو ریسکیو کر لیا۔",
        ),
        (
            "سوئی",  # needle / Sui
            "اپوزیشن لیڈر نے کہا کہ سوئی سے جہاز تک ہر چیز مہنگی ہو گئی ہے اور پاکستان کے"
            " عوام پریشان ہیں۔ درزی نے کہا کہ سوئی دھاگہ بھی مہنگا ہو گیا ہے۔",
            "ڈیرہ بگٹی کے علاقے سوئی میں گیس پائپ لائن کو دھماکے سے اڑا دیا گیا۔",
        ),
        (
            "تربت",  # grave / Turbat
            "مداحوں نے پاکستان کے مرحوم شاعر کی تربت پر پھولوں کی چادر چڑھائی۔ ان کی تربت"
            " پر فاتحہ خوانی کی گئی اور ان کی خدمات کو خراج تحسین پیش کیا گیا۔",
            "تربت میں فائرنگ سے دو افراد جاں بحق ہو گئے، ضلع کیچ کی انتظامیہ نے نوٹس لیا۔",
        ),
    ],
)
def test_an_urdu_word_that_is_also_a_town_needs_a_place_word_near(shipped, word, common, place):
    assert "balochistan" not in topics(shipped, common + FILLER_UR)
    assert "balochistan" in topics(shipped, place)
    assert "found within 8 words" in counted(shipped, place, "balochistan", word)["context"]


def test_urdu_sugar_near_gwadar_is_no_chinese_project(shipped):
    sugar = (
        "گوادر میں چینی کی قیمت دو سو روپے فی کلو تک پہنچ گئی ہے اور شہر میں آٹے کی قلت بھی ہے۔"
        " شہریوں نے گوادر پریس کلب کے سامنے احتجاج کیا۔"
    )
    assert topics(shipped, sugar) == {"balochistan"}
    china = "گوادر بندرگاہ پر چینی کمپنی نے نئے منصوبے کی تعمیر شروع کر دی ہے۔" + FILLER_UR
    assert "cpec" in topics(shipped, china)


# -- a mention is not coverage ------------------------------------------------------------------


def test_sistan_named_once_in_a_story_about_else_is_passing(shipped):
    """A martyr's family left Sistan for Mazandaran: the province's one mention, nothing else
    on it (no incident, province, border or port word; a martyr's "شهادت" is none)."""
    profile = (
        "به گزارش خبرنگار ایثار و شهادت فارس، مادر شهید سال‌ها در انتظار فرزند بود. هشت سال از"
        " زندگی حسن در سیستان گذشت تا اینکه خانواده عازم مازندران شدند." + FILLER_FA
    )
    assert "sistan-baluchestan" not in topics(shipped, profile)
    why = counted(shipped, profile, "sistan-baluchestan", "سیستان")["role"]
    assert why.startswith("the topic's one mention")
    scene = (
        "هشت سال از زندگی حسن در سیستان گذشت و در همان سال سیل روستاهای این منطقه را ویران"
        " کرد." + FILLER_FA
    )
    assert "sistan-baluchestan" in topics(shipped, scene)


def test_the_provinces_governor_among_a_meetings_guests_is_passing(shipped):
    """The whole name is one mention now, no longer an item of the roll of guests: it is the
    province's one mention with nothing else on it that keeps it passing."""
    guests = (
        "Pakistan thanked Iran for facilitating the pilgrims and said a hotline would help"
        " resolve issues promptly. Attending from the Iranian side were Deputy Interior Minister"
        " Ali Akbar Pourjamshidian, Adviser Hadian, Governor General of Sistan and Baluchestan"
        " Mansour Bager, and Colonel Javaheri of the Ministry of Interior." + FILLER
    )
    assert "sistan-baluchestan" not in topics(shipped, guests)


@pytest.mark.parametrize(
    "text",
    [
        "Temperatures will rise above 45C in Sistan and Baluchestan, Kerman, Hormozgan and"
        " Khuzestan provinces this week, Iran's meteorological organisation said." + FILLER,
        "Iran reported new dengue cases, most of them in Hormozgan, Bushehr, Sistan and"
        " Baluchestan and Kerman provinces." + FILLER,
    ],
)
def test_sistan_and_baluchestan_is_one_item_of_an_english_list(shipped, text):
    assert "sistan-baluchestan" not in topics(shipped, text)
    role = counted(shipped, text, "sistan-baluchestan", "Sistan and Baluchestan")["role"]
    assert role.startswith("item of a list of")


def test_a_persian_agency_dateline_is_where_the_report_was_filed(shipped):
    national = (
        "به گزارش خبرگزاری فارس از زاهدان، وزیر آموزش و پرورش اعلام کرد که حقوق فرهنگیان"
        " سراسر کشور از ماه آینده ۲۰ درصد افزایش می‌یابد." + FILLER_FA
    )
    assert "sistan-baluchestan" not in topics(shipped, national)
    role = counted(shipped, national, "sistan-baluchestan", "زاهدان")["role"]
    assert role == "dateline: where the story was filed"
    local = (
        "به گزارش خبرگزاری فارس از زاهدان، در حمله افراد مسلح به خودروی پلیس در جاده خاش به"
        " زاهدان دو مامور به شهادت رسیدند." + FILLER_FA
    )
    assert "sistan-baluchestan" in topics(shipped, local)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        (
            "Addressing the Senate, the minister said that during his trip to Quetta he had"
            " discussed the national education budget with vice-chancellors of universities"
            " from across the country." + FILLER,
            "Quetta",
        ),
        (
            "وزیر تعلیم نے کوئٹہ کے دورے کے دوران ملک بھر کی جامعات کے بجٹ پر بات کی۔" + FILLER_UR,
            "کوئٹہ",
        ),
    ],
)
def test_where_a_visitor_went_is_a_venue(shipped, text, term):
    assert "balochistan" not in topics(shipped, text)
    assert counted(shipped, text, "balochistan", term)["role"].startswith("venue")


def test_urdu_belonged_to_a_town_is_an_origin(shipped):
    text = (
        "کراچی میں ٹریفک حادثے میں جاں بحق ہونے والے نوجوان کا تعلق کوئٹہ سے تھا۔ پولیس نے"
        " ٹرک ڈرائیور کے خلاف مقدمہ درج کر لیا ہے۔" + FILLER_UR
    )
    assert "balochistan" not in topics(shipped, text)
    assert counted(shipped, text, "balochistan", "کوئٹہ")["role"].startswith("origin")


def test_examples_of_one_cue_do_not_vouch_for_each_other(shipped):
    """ "groups fighting Pakistan such as the BLF and BRAS": two examples, no coverage."""
    text = (
        "The UN monitoring team said groups fighting Pakistan such as the BLF and the BRAS had"
        " acquired weapons left behind by foreign forces." + FILLER
    )
    assert "balochistan" not in topics(shipped, text)
    assert counted(shipped, text, "balochistan", "BRAS")["role"].startswith("an example")
    covered = text + " The BLF claimed an attack on a check post in Kech on Tuesday."
    assert "balochistan" in topics(shipped, covered)


# -- coverage that names the place once -------------------------------------------------------


def test_the_first_sentence_after_a_standfirst_is_the_lead(shipped):
    """Dawn puts bullet points before the dateline: the story starts at "ISLAMABAD:"."""
    text = (
        "• Foreign Office says it expects full cooperation in the investigation; Tehran vows"
        " assistance and calls for collective efforts against terrorism\n"
        "• Four members of one family among the dead; families call for swift repatriation of"
        " the bodies and compensation after the loss of their breadwinners\n\n"
        "ISLAMABAD: Pakistan on Sunday sought Iran's cooperation in investigating the deaths of"
        " eight of its nationals in Iran's province of Sistan-Baluchestan, calling the killings"
        " inhumane and cowardly." + FILLER
    )
    assert "sistan-baluchestan" in topics(shipped, text)
    assert counted(shipped, text, "sistan-baluchestan", "Sistan-Baluchestan")["weight"] == 2


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (
            "Residents of Gwadar have faced an acute shortage of drinking water for months as"
            " the dam has dried up. Women and children queue for hours at tankers, and many"
            " families have started leaving the coastal town." + FILLER,
            "balochistan",
        ),
        (
            "India and Iran signed a 10-year contract to operate a terminal at Chabahar, giving"
            " New Delhi a route to Central Asia. Indian officials said the port had handled"
            " 90,000 containers." + FILLER,
            "sistan-baluchestan",
        ),
    ],
)
def test_a_town_the_text_goes_on_about_is_covered(shipped, text, topic):
    assert topic in topics(shipped, text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (
            "Flights from Quetta landed late at Karachi airport because of fog. The city's"
            " aviation authority said operations returned to normal by noon." + FILLER,
            "balochistan",
        ),
        (
            "قطار مسافری زاهدان به مشهد امروز با دو ساعت تاخیر وارد این شهر شد. مدیر راه آهن"
            " خراسان گفت علت تاخیر نقص فنی بوده است." + FILLER_FA,
            "sistan-baluchestan",
        ),
    ],
)
def test_the_city_is_not_ours_when_the_text_names_another(shipped, text, topic):
    assert topic not in topics(shipped, text)


def test_the_district_administration_at_work_supports_its_town(shipped):
    text = (
        "The Panjgur deputy commissioner said the highway had been reopened after the protesters"
        " ended their sit-in." + FILLER
    )
    assert "balochistan" in topics(shipped, text)
    assert counted(shipped, text, "balochistan", "deputy commissioner")["weight"] > 0
    without = text.replace("Panjgur deputy commissioner", "minister")
    assert "balochistan" not in topics(shipped, without)


# -- events the analyst knows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A suicide bomber struck a convoy of Chinese engineers near Karachi airport, killing two"
        " Chinese nationals." + FILLER,
        "کراچی ایئرپورٹ کے قریب چینی انجینئرز کے قافلے پر خودکش حملے میں دو چینی شہری ہلاک"
        " ہو گئے۔" + FILLER_UR,
    ],
)
def test_the_karachi_attack_on_chinese_nationals_described_is_the_blas(shipped, text):
    assert {"cpec", "bla", "balochistan"} <= topics(shipped, text)


def test_the_urdu_jaffar_express_hijacking_in_other_words(shipped):
    text = (
        "جعفر ایکسپریس کی ہائی جیکنگ کو ایک سال مکمل ہونے پر متاثرہ خاندانوں نے مظاہرہ کیا۔"
        + FILLER_UR
    )
    assert {"balochistan", "bla"} <= topics(shipped, text)


def test_a_border_incident_is_news_from_both_sides(shipped):
    """Kech is Pakistan's only: a text set in Iran does not hide it (Pishin, Taftan, Makran and
    Kalat, which Iran or Afghanistan also has, stay blocked there)."""
    text = (
        "Iranian border guards opened fire on fuel smugglers near Mand in Kech district, killing"
        " two Pakistanis, Levies officials said. The men had crossed into Iran's Sistan-Baluchestan"
        " province to bring back diesel." + FILLER
    )
    assert {"balochistan", "sistan-baluchestan"} <= topics(shipped, text)
    iran = "Iranian forces killed two militants in Pishin, near Saravan, state media said." + FILLER
    assert "balochistan" not in topics(shipped, iran)


def test_a_persian_consul_of_a_long_country_name_sits_in_a_venue(shipped):
    text = (
        "سرکنسول جمهوری اسلامی ایران در کویته در دیدار با رئیس اتاق بازرگانی مشهد بر گسترش"
        " تجارت مرزی تاکید کرد." + FILLER_FA
    )
    assert "balochistan" not in topics(shipped, text)
    assert counted(shipped, text, "balochistan", "کویته")["role"].startswith("venue")


def test_a_persian_birthplace_is_an_origin_and_a_martyrs_title_no_incident(shipped):
    text = (
        "به گزارش خبرنگار فارس، شهید علی اکبری در سال ۱۳۴۰ در زاهدان به دنیا آمد و پس از پایان"
        " تحصیلات به جبهه رفت." + FILLER_FA
    )
    assert "sistan-baluchestan" not in topics(shipped, text)
    assert counted(shipped, text, "sistan-baluchestan", "زاهدان")["role"].startswith("origin")


def test_a_supporting_word_is_no_item_of_a_list_of_names(shipped):
    """ "گروهک های تروریستی مانند داعش، منافقین و جیش الظلم": the incident word in the list's
    first piece does not make the list the topic's own."""
    text = (
        "دادستان کل کشور گفت: گروهک های تروریستی مانند داعش، منافقین و جیش الظلم با حمایت"
        " سرویس های بیگانه علیه امنیت کشور فعالیت می کنند." + FILLER_FA
    )
    assert "sistan-baluchestan" not in topics(shipped, text)
    role = counted(shipped, text, "sistan-baluchestan", "جیش الظلم")["role"]
    assert role.startswith("item of a list of 3 (1 of them")


@pytest.mark.parametrize(
    "text",
    [
        "رستوران زاهدان در خیابان ولیعصر تهران شعبه جدیدی افتتاح کرد." + FILLER_FA,
        "هتل چابهار در مشهد به دلیل تخلفات بهداشتی پلمب شد." + FILLER_FA,
        "گوادر ریسٹورنٹ کراچی میں ڈکیتی کی واردات ہوئی۔" + FILLER_UR,
    ],
)
def test_a_persian_or_urdu_business_named_for_a_town_is_not_the_town(shipped, text):
    assert not topics(shipped, text) & {"sistan-baluchestan", "balochistan"}
