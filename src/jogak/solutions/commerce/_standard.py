"""The e-commerce data standard (S5): buyer, behaviour and product tables, item by item.

Each item states its type, format, range, whether it is required or unique, and its PII class
and kind in the vocabulary of :mod:`jogak.data.privacy` (Korea's pseudonymisation guideline):
direct identifiers are stored only as keyed HMAC tokens, quasi-identifiers only generalised.
The pandera schemas, the Markdown/HTML spec and the JSON Schema are all derived from these
declarations, so the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jogak.data.privacy import PiiClass, PiiKind
from jogak.errors import ConfigError

__all__ = [
    "EVENT_TYPES",
    "STANDARD",
    "STANDARD_VERSION",
    "Item",
    "ItemType",
    "TableName",
    "TableSpec",
    "get_table",
]

#: Version of the standard; bump the minor for added optional items, the major for anything
#: that can make valid data invalid.
STANDARD_VERSION = "1.0.0"

TableName = Literal["buyer", "behaviour", "product"]
ItemType = Literal["string", "integer", "decimal", "date", "datetime", "category", "json"]


#: The purchase-behaviour taxonomy: every behaviour row is one of these events.
EVENT_TYPES: dict[str, str] = {
    "view": "a product page was viewed",
    "search": "a search was run (product_id empty)",
    "cart": "a product was added to the cart",
    "remove_from_cart": "a product was removed from the cart",
    "wishlist": "a product was added to a wish list",
    "checkout": "checkout was started",
    "purchase": "a product was bought (one row per order line)",
    "cancel": "a purchase was cancelled before delivery",
    "return": "a delivered product was returned",
    "refund": "money was paid back",
    "review": "a product was reviewed or rated",
}
# events about one product: product_id must be present for these
PRODUCT_EVENTS = ("view", "cart", "remove_from_cart", "wishlist", "purchase", "cancel", "return",
                  "review")

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"
_ID_FORMAT = "1-128 characters: letters, digits, '_', '.', ':', '-'; starts with a letter or digit"
_AMOUNT_MAX = 1e10  # 10 billion in the currency unit: above any single order line, even in KRW
_FIRST_DAY, _LAST_DAY = "1970-01-01", "2100-12-31"


@dataclass(frozen=True, kw_only=True)
class Item:
    """One data item (column) of a standard table.

    Parameters
    ----------
    name : str
        Column name in the standard.
    type : {"string", "integer", "decimal", "date", "datetime", "category", "json"}
        Logical type; ``category`` items take one of ``allowed``, ``json`` items a JSON object.
    description : str
        What the item holds.
    format : str
        The written format, for people (e.g. ``YYYY-MM-DD``).
    required : bool
        Every row must have a value.
    unique : bool
        No two rows may share a value.
    pii : PiiClass
        PII class of the item (``direct_identifier`` items hold keyed tokens only).
    pii_kind : PiiKind, optional
        Kind of personal data, for pseudonymisation and masking.
    pattern : str, optional
        Regular expression a string value must match in full.
    minimum, maximum : float or str, optional
        Inclusive range; ISO dates for ``date``/``datetime`` items.
    allowed : tuple of str
        The allowed values of a ``category`` item.
    example : str
        A valid example value.
    """

    name: str
    type: ItemType
    description: str
    format: str
    required: bool = False
    unique: bool = False
    pii: PiiClass = PiiClass.NONE
    pii_kind: PiiKind | None = None
    pattern: str | None = None
    minimum: float | str | None = None
    maximum: float | str | None = None
    allowed: tuple[str, ...] = ()
    example: str = ""

    def __post_init__(self) -> None:
        if self.type == "category" and not self.allowed:
            raise ConfigError(f"Category item {self.name!r} needs its allowed values.")

    @property
    def range_text(self) -> str:
        """The range or value set, for the written spec."""
        if self.allowed:
            return ", ".join(self.allowed)
        if self.minimum is None and self.maximum is None:
            return ""
        low = "" if self.minimum is None else f"{self.minimum:g}" if isinstance(
            self.minimum, float) else str(self.minimum)
        high = "" if self.maximum is None else f"{self.maximum:g}" if isinstance(
            self.maximum, float) else str(self.maximum)
        return f"{low} .. {high}"


@dataclass(frozen=True, kw_only=True)
class TableSpec:
    """A table of the standard: its items, in order, and its purpose."""

    name: TableName
    title: str
    description: str
    items: tuple[Item, ...]

    def item(self, name: str) -> Item:
        """The item called ``name``."""
        for item in self.items:
            if item.name == name:
                return item
        raise ConfigError(f"Table {self.name!r} has no item {name!r}; its items are "
                          f"{[i.name for i in self.items]}.")

    @property
    def names(self) -> list[str]:
        """Item names, in order."""
        return [item.name for item in self.items]


def _id(name: str, description: str, *, unique: bool = False, required: bool = True,
        pii: PiiClass = PiiClass.NONE, example: str) -> Item:
    kind = PiiKind.ACCOUNT_ID if pii is PiiClass.DIRECT_IDENTIFIER else None
    return Item(name=name, type="string", description=description, format=_ID_FORMAT,
                required=required, unique=unique, pii=pii, pii_kind=kind, pattern=_ID_PATTERN,
                example=example)


def _currency() -> Item:
    return Item(name="currency", type="string", description="currency of the amounts",
                format="ISO 4217 code, three capital letters", pattern=r"^[A-Z]{3}$",
                example="KRW")


_BUYER = TableSpec(
    name="buyer", title="Buyer",
    description="One row per buyer: who buys, generalised so that no one can be singled out.",
    items=(
        _id("buyer_id", "pseudonymised buyer id: a keyed HMAC token, never the raw member id",
            unique=True, pii=PiiClass.DIRECT_IDENTIFIER, example="b7f3c2a91d0e4f58"),
        Item(name="gender", type="category", description="gender as declared by the buyer",
             format="F, M, X (other) or U (unknown)", allowed=("F", "M", "X", "U"),
             pii=PiiClass.QUASI_IDENTIFIER, pii_kind=PiiKind.GENDER, example="F"),
        Item(name="age_band", type="category", description="age generalised to a ten-year band",
             format="band label", allowed=("0-19", "20-29", "30-39", "40-49", "50-59", "60-69",
                                           "70+"),
             pii=PiiClass.QUASI_IDENTIFIER, pii_kind=PiiKind.AGE, example="30-39"),
        Item(name="region", type="string", description="region generalised to province/state "
             "level (never a street address)", format="1-64 characters",
             pattern=r"^.{1,64}$", pii=PiiClass.QUASI_IDENTIFIER, pii_kind=PiiKind.ADDRESS,
             example="Seoul"),
        Item(name="join_date", type="date", description="date the buyer registered",
             format="YYYY-MM-DD", minimum=_FIRST_DAY, maximum=_LAST_DAY,
             pii=PiiClass.QUASI_IDENTIFIER, example="2019-03-14"),
        Item(name="channel", type="category", description="channel the buyer joined through",
             format="value from the list", allowed=("web", "mobile_web", "app", "offline",
                                                    "call_center", "other"), example="app"),
        Item(name="grade", type="string", description="customer grade or segment (e.g. RFM)",
             format="1-32 characters", pattern=r"^.{1,32}$", example="Champions"),
    ),
)

_BEHAVIOUR = TableSpec(
    name="behaviour", title="Buyer behaviour",
    description="One row per event of a buyer: views, carts, purchases (one per order line), "
                "cancellations, returns, reviews.",
    items=(
        _id("event_id", "event id, unique over the whole table", unique=True,
            example="o1029-1"),
        _id("buyer_id", "pseudonymised buyer id, as in the buyer table",
            pii=PiiClass.DIRECT_IDENTIFIER, example="b7f3c2a91d0e4f58"),
        Item(name="timestamp", type="datetime", description="when the event happened (local "
             "time of the shop)", format="YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (ISO 8601, a 'T' "
             "separator and fractional seconds allowed)", required=True, minimum=_FIRST_DAY,
             maximum=_LAST_DAY, example="2024-05-01 13:45:00"),
        Item(name="event_type", type="category", description="event from the purchase-"
             "behaviour taxonomy", format="value from the list", required=True,
             allowed=tuple(EVENT_TYPES), example="purchase"),
        _id("product_id", "product id, as in the product table; required for product events "
            f"({', '.join(PRODUCT_EVENTS)})", required=False, example="p-00042"),
        _id("order_id", "order the event belongs to (purchase, cancel, return, refund)",
            required=False, example="o1029"),
        Item(name="quantity", type="integer", description="number of units", format="integer",
             minimum=1.0, maximum=100_000.0, example="1"),
        Item(name="amount", type="decimal", description="value of the event line (price x "
             "quantity, after discounts)", format="decimal number, '.' as decimal separator",
             minimum=0.0, maximum=_AMOUNT_MAX, example="12900"),
        _currency(),
        Item(name="payment_method", type="category", description="how the buyer paid",
             format="value from the list", allowed=("card", "bank_transfer", "virtual_account",
                                                    "mobile", "easy_pay", "voucher", "points",
                                                    "cash", "other"), example="card"),
        Item(name="channel", type="category", description="channel of the event",
             format="value from the list", allowed=("web", "mobile_web", "app", "offline",
                                                    "call_center", "other"), example="app"),
        Item(name="device", type="category", description="device type of the event",
             format="value from the list", allowed=("desktop", "mobile", "tablet", "other"),
             example="mobile"),
    ),
)

_PRODUCT = TableSpec(
    name="product", title="Product",
    description="One row per product on sale.",
    items=(
        _id("product_id", "product id", unique=True, example="p-00042"),
        Item(name="name", type="string", description="product name", format="1-512 characters",
             pattern=r"^.{1,512}$", example="Wireless earbuds"),
        Item(name="category_path", type="string", description="category from the top level "
             "down, levels separated by ' > '", format="level 1 > level 2 > ...",
             pattern=r"^[^>]*[^>\s][^>]*( > [^>]*[^>\s][^>]*)*$",
             example="Electronics > Audio > Earbuds"),
        Item(name="price", type="decimal", description="list price of one unit",
             format="decimal number, '.' as decimal separator", required=True, minimum=0.0,
             maximum=_AMOUNT_MAX, example="59000"),
        _currency(),
        Item(name="brand", type="string", description="brand", format="1-128 characters",
             pattern=r"^.{1,128}$", example="Acme"),
        Item(name="attributes", type="json", description="other attributes (weight, size, "
             "colour ...)", format="a JSON object", example='{"weight_g": 45}'),
    ),
)

#: The three tables of the standard, by name.
STANDARD: dict[str, TableSpec] = {t.name: t for t in (_BUYER, _BEHAVIOUR, _PRODUCT)}


def get_table(name: str) -> TableSpec:
    """The table ``name`` of the standard (buyer, behaviour or product)."""
    try:
        return STANDARD[name]
    except KeyError:
        raise ConfigError(f"The standard has tables {sorted(STANDARD)}; got {name!r}.") from None
