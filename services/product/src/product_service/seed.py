"""Demo catalog: 112 products in 8 categories, each with a small PNG drawn at seed time.

Idempotent: products that exist are left alone (even if an administrator changed them since), and an
image is uploaded only for a product that has none. Run by ``product-seed`` (see ``cli.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from product_service.domain.catalog import CatalogService
from product_service.domain.errors import AlreadyExistsError
from product_service.domain.models import ProductFields, ProductFilter

# (category, colour of its images, [(item, base price, what it is)])
_CATALOG: list[tuple[str, tuple[int, int, int], list[tuple[str, str, str]]]] = [
    (
        "kitchen",
        (214, 93, 14),
        [
            ("Mug", "12.50", "Stoneware mug, 350 ml, dishwasher safe."),
            ("Teapot", "34.00", "Glazed teapot with a stainless steel infuser, 1 litre."),
            ("Chef's Knife", "59.90", "20 cm forged blade with a full tang and a riveted handle."),
            ("Cutting Board", "27.50", "End-grain board that is kind to knife edges."),
            ("Saucepan", "44.00", "Tri-ply saucepan with a glass lid, 2 litres."),
            ("Salad Bowl", "22.00", "Wide serving bowl, food safe finish."),
            ("Spice Rack", "31.00", "Wall-mounted rack for twelve jars."),
            ("Kettle", "49.99", "Stovetop whistling kettle, 1.7 litres."),
            ("Colander", "16.75", "Perforated colander with two handles."),
            ("Apron", "19.00", "Heavy cotton apron with a front pocket."),
            ("Measuring Cups", "14.25", "Nesting set of four with engraved markings."),
            ("Pepper Mill", "24.90", "Adjustable ceramic grinder."),
            ("French Press", "36.50", "Double-wall press, keeps coffee hot, 800 ml."),
            ("Baking Tray", "18.40", "Heavy gauge tray that does not warp."),
        ],
    ),
    (
        "home-decor",
        (104, 159, 56),
        [
            ("Throw Pillow", "21.00", "Linen cover with a feather insert, 45 x 45 cm."),
            ("Table Lamp", "64.00", "Ceramic base lamp with a fabric shade."),
            ("Wall Clock", "39.90", "Silent sweep movement, 30 cm face."),
            ("Picture Frame", "15.50", "Solid wood frame for 13 x 18 cm prints."),
            ("Vase", "28.00", "Hand-thrown vase with a reactive glaze."),
            ("Candle Holder", "12.00", "Cast iron holder for pillar candles."),
            ("Woven Basket", "33.00", "Seagrass storage basket with handles."),
            ("Throw Blanket", "55.00", "Wool blend blanket, 130 x 170 cm."),
            ("Mirror", "89.00", "Round mirror with a thin metal frame, 60 cm."),
            ("Plant Pot", "17.25", "Terracotta pot with a drainage saucer."),
            ("Bookends", "26.00", "Pair of weighted bookends."),
            ("Doormat", "23.50", "Coir doormat with a non-slip back."),
            ("Curtain Panel", "42.00", "Light-filtering cotton panel, 140 x 250 cm."),
            ("Coaster Set", "11.90", "Set of six cork-backed coasters."),
        ],
    ),
    (
        "outdoor",
        (2, 119, 189),
        [
            ("Camping Lantern", "29.99", "Rechargeable LED lantern, three brightness levels."),
            ("Water Bottle", "18.00", "Insulated steel bottle, 750 ml."),
            ("Hammock", "49.00", "Parachute nylon hammock with tree straps."),
            ("Folding Chair", "39.00", "Lightweight chair with a carry bag."),
            ("Daypack", "69.00", "22 litre pack with a padded back panel."),
            ("Picnic Blanket", "32.00", "Water-resistant backing, folds into a pouch."),
            ("Headlamp", "24.50", "300 lumen headlamp with a red light mode."),
            ("Trekking Poles", "58.00", "Aluminium poles with cork grips, pair."),
            ("Cooler Bag", "35.00", "Soft cooler, keeps ice for a day."),
            ("Garden Trowel", "13.75", "Stainless trowel with depth markings."),
            ("Bird Feeder", "21.90", "Squirrel-resistant hanging feeder."),
            ("Tent Footprint", "27.00", "Ground sheet for two-person tents."),
            ("Camp Stove", "45.00", "Compact gas stove with piezo ignition."),
            ("Sun Hat", "22.00", "Wide brim hat with UPF 50 fabric."),
        ],
    ),
    (
        "electronics",
        (94, 53, 177),
        [
            ("Wireless Earbuds", "79.00", "Bluetooth earbuds with a charging case."),
            ("USB-C Charger", "29.00", "65 W charger with two ports."),
            ("Power Bank", "39.50", "10,000 mAh power bank with fast charging."),
            ("Bluetooth Speaker", "59.99", "Water-resistant speaker, 12 hours of play."),
            ("Webcam", "54.00", "1080p webcam with a privacy shutter."),
            ("Mechanical Keyboard", "99.00", "Tenkeyless keyboard with hot-swap switches."),
            ("Wireless Mouse", "32.00", "Quiet-click mouse with a USB receiver."),
            ("HDMI Cable", "9.99", "2 m high-speed cable."),
            ("Laptop Stand", "36.00", "Aluminium stand with six height settings."),
            ("Smart Plug", "15.00", "Wi-Fi plug with energy monitoring."),
            ("E-Reader Cover", "24.00", "Folio cover with auto sleep."),
            ("Desk Lamp", "47.00", "LED lamp with adjustable colour temperature."),
            ("Phone Stand", "12.50", "Foldable stand for phones and small tablets."),
            ("SD Card", "19.90", "128 GB card, fast enough for 4K video."),
        ],
    ),
    (
        "books",
        (198, 40, 40),
        [
            ("Field Guide to Birds", "28.00", "Illustrated guide to 600 species."),
            ("Weeknight Cookbook", "32.00", "100 dinners in under 30 minutes."),
            ("Pocket Atlas", "16.00", "Up-to-date maps in a travel size."),
            ("Sketching Basics", "21.50", "Drawing lessons from line to light."),
            ("Houseplant Handbook", "24.00", "Care notes for 150 common plants."),
            ("History of Tea", "26.00", "Four thousand years in one cup."),
            ("Knot Tying Cards", "11.00", "Waterproof cards with 40 knots."),
            ("Star Chart", "14.50", "Rotating planisphere for the northern sky."),
            ("Bread Baking", "29.00", "Sourdough and yeasted breads, step by step."),
            ("Trail Journal", "13.25", "Dot-grid notebook with a weatherproof cover."),
            ("Puzzle Collection", "17.00", "300 logic puzzles from easy to fiendish."),
            ("Woodworking Primer", "34.00", "Hand tool projects for beginners."),
            ("Poetry Anthology", "19.50", "Two centuries of poems in one volume."),
            ("City Walks", "22.00", "Thirty walking routes through old towns."),
        ],
    ),
    (
        "apparel",
        (0, 137, 123),
        [
            ("Crew Sweatshirt", "48.00", "Brushed fleece sweatshirt, relaxed fit."),
            ("Rain Jacket", "119.00", "Waterproof, breathable shell with taped seams."),
            ("Wool Socks", "16.00", "Merino blend hiking socks, pair."),
            ("Beanie", "19.00", "Rib-knit beanie in soft wool."),
            ("Canvas Tote", "22.00", "Heavy canvas tote with an inner pocket."),
            ("Denim Shirt", "59.00", "Washed denim shirt with two chest pockets."),
            ("Leather Belt", "39.00", "Full-grain leather belt, brass buckle."),
            ("Running Cap", "21.00", "Lightweight cap with a reflective trim."),
            ("Scarf", "29.50", "Lambswool scarf, 180 cm."),
            ("Gloves", "27.00", "Touchscreen-compatible knit gloves."),
            ("Linen Shirt", "54.00", "Breathable linen shirt for warm days."),
            ("Chino Shorts", "44.00", "Cotton twill shorts with a 9 inch inseam."),
            ("Puffer Vest", "79.00", "Insulated vest that packs into its pocket."),
            ("Slippers", "34.00", "Felt slippers with a rubber sole."),
        ],
    ),
    (
        "toys",
        (249, 168, 37),
        [
            ("Wooden Blocks", "29.00", "Fifty blocks in natural beech."),
            ("Jigsaw Puzzle", "18.00", "1000 pieces, a harbour at dusk."),
            ("Kite", "24.00", "Delta kite with a 50 m line."),
            ("Plush Bear", "21.00", "Soft bear, 30 cm, machine washable."),
            ("Marble Run", "39.00", "Build-your-own track with 60 parts."),
            ("Card Game", "12.00", "Fast family card game for 2 to 6 players."),
            ("Stacking Rings", "15.50", "Rainbow stacker for toddlers."),
            ("Paint Set", "17.50", "Twelve watercolours and two brushes."),
            ("Toy Train", "45.00", "Wooden train set with a figure-eight track."),
            ("Yo-Yo", "7.50", "Ball-bearing yo-yo for long spins."),
            ("Chess Set", "36.00", "Folding wooden board with weighted pieces."),
            ("Bubble Wand", "6.25", "Giant bubble wand with refill."),
            ("Building Bricks", "49.00", "500 bricks in a storage tub."),
            ("Spinning Top", "8.90", "Hand-turned spinning top."),
        ],
    ),
    (
        "stationery",
        (84, 110, 122),
        [
            ("Fountain Pen", "42.00", "Steel nib fountain pen with a converter."),
            ("Notebook", "14.00", "A5 notebook, 192 pages of 90 gsm paper."),
            ("Pencil Set", "9.50", "Twelve graphite pencils from 4H to 8B."),
            ("Desk Organizer", "26.00", "Bamboo organizer with five compartments."),
            ("Washi Tape", "8.00", "Set of six decorative tapes."),
            ("Planner", "24.00", "Undated weekly planner, lay-flat binding."),
            ("Ink Bottle", "12.75", "50 ml bottle of blue-black ink."),
            ("Sticky Notes", "5.90", "Six pads in muted colours."),
            ("Letter Opener", "15.00", "Brass letter opener."),
            ("Brush Pens", "16.50", "Ten dual-tip brush pens."),
            ("Envelope Pack", "7.25", "Fifty recycled C6 envelopes."),
            ("Clipboard", "11.00", "Hardboard clipboard with a low-profile clip."),
            ("Stapler", "18.00", "Full-strip stapler for 25 sheets."),
            ("Ruler", "4.50", "30 cm aluminium ruler with a cork back."),
        ],
    ),
]

_STYLES = ("Classic", "Everyday")


@dataclass(frozen=True)
class SeedProduct:
    id: str
    fields: ProductFields
    colour: tuple[int, int, int]


def _slug(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return "-".join(cleaned.split())


def _stock_for(product_id: str) -> int:
    # Deterministic but varied; about one product in twelve starts out of stock.
    digest = hashlib.sha256(product_id.encode()).digest()
    return 0 if digest[0] % 12 == 0 else 5 + digest[1] % 95


def catalog_products() -> list[SeedProduct]:
    """The demo catalog, in a fixed order. Each category lists 14 items (112 products in all)."""
    products: list[SeedProduct] = []
    for category, colour, items in _CATALOG:
        for index, (item, price, description) in enumerate(items):
            style = _STYLES[index % len(_STYLES)]
            name = f"{style} {item}"
            product_id = _slug(f"{category[:4]} {item}")
            fields = ProductFields(
                name=name,
                description=description,
                category=category,
                price=Decimal(price),
                currency="USD",
                stock=_stock_for(product_id),
            )
            products.append(SeedProduct(product_id, fields, colour))
    return products


def png_tile(colour: tuple[int, int, int], seed: str, size: int = 32) -> bytes:
    """A small square PNG: the category colour with a diagonal band whose position depends on ``seed``."""
    offset = hashlib.sha256(seed.encode()).digest()[0] % size
    light = tuple(min(255, channel + 90) for channel in colour)
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type "none"
        for x in range(size):
            rows.extend(light if (x + y + offset) % size < size // 4 else colour)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


@dataclass
class SeedReport:
    created: int = 0
    existing: int = 0
    images: int = 0


async def seed_catalog(
    catalog: CatalogService, *, only_if_empty: bool = False, parallel: int = 16
) -> SeedReport:
    report = SeedReport()
    if only_if_empty and (await catalog.list_products(ProductFilter(), 1, None)).items:
        return report
    gate = asyncio.Semaphore(parallel)

    async def one(item: SeedProduct) -> None:
        async with gate:
            try:
                product = await catalog.create(item.fields, item.id)
                report.created += 1
            except AlreadyExistsError:
                product = await catalog.get(item.id)
                report.existing += 1
            if product.image is None:
                await catalog.put_image(item.id, png_tile(item.colour, item.id), "image/png")
                report.images += 1

    await asyncio.gather(*(one(item) for item in catalog_products()))
    return report
