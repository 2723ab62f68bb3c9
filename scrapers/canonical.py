"""One URL per article: the page's declared canonical URL when it is on the same site, cleaned.

The same story reaches us under feed links, share links with tracking parameters and AMP or mobile
hosts; duplicates are found by comparing the URL this module returns.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

# Parameters that only say who sent the reader (campaigns, ad clicks, newsletters, share buttons).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "igsh",
        "yclid",
        "ysclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "epik",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "s_kwcid",
        "ef_id",
        "cmpid",
        "cmp",
        "ocid",
        "ncid",
        "icid",
        "ito",
        "xtor",
        "smid",
        "smtyp",
        "sr_share",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "soc_src",
        "soc_trk",
        "taid",
        "share",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "spm",
        "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "piwik_", "ns_", "wt.", "hmb_", "cm_", "trk_", "at_")

DEFAULT_PORTS = {"http": "80", "https": "443"}


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters and fragment, host lower-cased, default port dropped.

    The query is edited as raw text so the remaining parameters keep their order and encoding.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if parts.hostname is None:
        return urlunsplit(parts._replace(fragment=""))
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and str(port) != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and not _is_tracking(pair.split("=", 1)[0].replace("%5F", "_").replace("%5f", "_"))
    ]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", "&".join(kept), ""))


@lru_cache(maxsize=1)
def _psl():
    import tldextract

    # The bundled public-suffix snapshot only: never fetch the list from the network.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


@lru_cache(maxsize=4096)
def site_of(host: str) -> str:
    """The registrable domain (eTLD+1) of a host; the host itself for IP addresses and localhost."""
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if not host or re.fullmatch(r"[\d.]+|\[.*\]|[0-9a-f:]+", host):
        return host
    extracted = _psl()(host)
    return extracted.top_domain_under_public_suffix or host


def same_site(a: str, b: str) -> bool:
    try:
        host_a, host_b = urlsplit(a).hostname, urlsplit(b).hostname
    except ValueError:
        return False
    return bool(host_a and host_b) and site_of(host_a) == site_of(host_b)


def canonicalize(page_url: str, declared: str | None = None) -> str:
    """The URL to store the article under.

    `declared` (rel=canonical / og:url) wins when it is an http(s) URL on the same site as the page
    (AMP and mobile hosts point to the main one) and does not just point to the home page while the
    page itself is deeper, a common CMS misconfiguration.
    """
    chosen = page_url
    if declared and declared.strip():
        try:
            candidate = urljoin(page_url, declared.strip())
            cand, page = urlsplit(candidate), urlsplit(page_url)
        except ValueError:  # an unparsable declaration: the page's own URL
            return strip_tracking(chosen)
        if (
            cand.scheme.lower() in ("http", "https")
            and same_site(candidate, page_url)
            and not (cand.path in ("", "/") and not cand.query and page.path not in ("", "/"))
        ):
            chosen = candidate
            if page.scheme.lower() == "https" and cand.scheme.lower() == "http":
                chosen = urlunsplit(cand._replace(scheme="https"))
    return strip_tracking(chosen)
