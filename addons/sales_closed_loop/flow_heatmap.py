"""Draw the monthly lead-flow heat map as a PNG with Pillow, without the ORM.

The picture is a table of stages (rows) by months (columns). The colour of a
cell goes from pale to dark red with the share of leads that stayed longer
than the stage's threshold, and the cell shows that share in percent. A cell
without a value (no threshold, or no lead entered the stage that month) is
grey and shows a dash.

Chinese stage names need a font with CJK glyphs. ``find_cjk_font`` looks for
one with fontconfig's ``fc-list`` when it is installed, then in the usual font
folders. Without one, Pillow's built-in bitmap font is used: it covers Latin-1
only, so other characters are drawn as "?" and a warning is logged.
"""

import functools
import glob
import io
import logging
import os
import shutil
import subprocess

from PIL import Image, ImageDraw, ImageFont

_logger = logging.getLogger(__name__)

# Folders searched for a CJK font when fontconfig is missing: Debian/Ubuntu,
# local installs, macOS and Windows.
FONT_FOLDERS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    os.path.expanduser("~/.fonts"),
    os.path.expanduser("~/.local/share/fonts"),
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
# File names of common fonts with Simplified Chinese glyphs, best first.
FONT_FILE_PATTERNS = (
    "NotoSansCJK*-Regular.tt[cf]",
    "NotoSansSC-Regular.[ot]tf",
    "SourceHanSans*-Regular.tt[cf]",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallback*.ttf",
    "msyh.tt[cf]",
    "PingFang.ttc",
)
# Seconds. The timeout only guards against a hung fontconfig.
FC_LIST_TIMEOUT = 10

# Layout, in pixels.
PADDING = 16
TITLE_SIZE = 18
TEXT_SIZE = 14
NOTE_SIZE = 12
ROW_HEIGHT = 32
COLUMN_WIDTH = 84
LABEL_MIN_WIDTH = 120
LABEL_MAX_WIDTH = 280

BACKGROUND = (255, 255, 255)
TEXT_COLOR = (33, 37, 41)
GRID_COLOR = (255, 255, 255)
EMPTY_COLOR = (233, 236, 239)
LOW_COLOR = (255, 245, 240)
HIGH_COLOR = (165, 15, 21)
# Shares from this value on are dark enough to need white text.
WHITE_TEXT_FROM = 55


@functools.lru_cache(maxsize=1)
def find_cjk_font():
    """Return the path of a font file with Simplified Chinese glyphs, or None."""
    if shutil.which("fc-list"):
        try:
            output = subprocess.run(
                ["fc-list", "-f", "%{file}\n", ":lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=FC_LIST_TIMEOUT,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            _logger.warning("Lead flow heat map: fc-list failed", exc_info=True)
            output = ""
        paths = sorted({line.strip() for line in output.splitlines() if line.strip()})
        # Prefer a regular sans-serif face over bold or serif ones.
        paths.sort(key=lambda path: ("Sans" not in path, "Regular" not in path))
        if paths:
            return paths[0]

    for pattern in FONT_FILE_PATTERNS:
        for folder in FONT_FOLDERS:
            matches = sorted(glob.glob(os.path.join(folder, "**", pattern), recursive=True))
            if matches:
                return matches[0]
    return None


@functools.lru_cache(maxsize=8)
def _load_font(path, size):
    """Return the face of ``path`` for Simplified Chinese, or the first face."""
    # Font collections such as Noto Sans CJK contain one face per region. The
    # SC face draws the Simplified Chinese forms of shared characters.
    for index in range(10):
        try:
            font = ImageFont.truetype(path, size, index=index)
        except OSError:
            break
        if " SC" in font.getname()[0]:
            return font
    return ImageFont.truetype(path, size)


class HeatmapFonts:
    """The title, text and note fonts, with the Latin-1 fallback."""

    def __init__(self):
        path = find_cjk_font()
        self.is_fallback = path is None
        if self.is_fallback:
            _logger.warning(
                "Lead flow heat map: no font with Chinese characters was found in fontconfig "
                "or in %s; Pillow's default font is used and non-Latin-1 characters are "
                "drawn as '?'. Install a CJK font such as fonts-noto-cjk.",
                ", ".join(FONT_FOLDERS),
            )
            default = ImageFont.load_default()
            self.title = self.text = self.note = default
        else:
            self.title = _load_font(path, TITLE_SIZE)
            self.text = _load_font(path, TEXT_SIZE)
            self.note = _load_font(path, NOTE_SIZE)

    def clean(self, text):
        """Return ``text`` in characters the font can draw."""
        if not self.is_fallback:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")


def cell_color(share):
    """Return the RGB fill for ``share`` in percent, grey when it is None."""
    if share is None:
        return EMPTY_COLOR
    ratio = min(max(share, 0.0), 100.0) / 100.0
    return tuple(
        round(low + (high - low) * ratio) for low, high in zip(LOW_COLOR, HIGH_COLOR, strict=True)
    )


def _text_width(draw, text, font):
    left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
    return right - left


def render_heatmap(title, row_labels, column_labels, cells, note=""):
    """Return the PNG bytes of a heat map.

    ``cells[row][column]`` is a share in percent (0 to 100) or None.
    ``note`` is an optional line under the table, such as a legend.
    """
    fonts = HeatmapFonts()
    title = fonts.clean(title)
    note = fonts.clean(note or "")
    row_labels = [fonts.clean(label) for label in row_labels]
    column_labels = [fonts.clean(label) for label in column_labels]

    # 1. Measure the labels to size the picture.
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_width = max([_text_width(scratch, label, fonts.text) for label in row_labels] or [0])
    label_width = min(max(label_width + PADDING, LABEL_MIN_WIDTH), LABEL_MAX_WIDTH)
    # Month names such as "September 2026" are wider than the default column.
    column_width = max(
        [COLUMN_WIDTH]
        + [_text_width(scratch, label, fonts.text) + PADDING for label in column_labels]
    )
    table_width = label_width + column_width * len(column_labels)
    width = PADDING * 2 + max(
        table_width,
        _text_width(scratch, title, fonts.title),
        _text_width(scratch, note, fonts.note),
    )
    title_height = TITLE_SIZE + PADDING
    header_height = ROW_HEIGHT
    note_height = NOTE_SIZE + PADDING if note else 0
    height = PADDING * 2 + title_height + header_height + ROW_HEIGHT * len(row_labels) + note_height

    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)

    # 2. Title and month headers.
    draw.text((PADDING, PADDING), title, fill=TEXT_COLOR, font=fonts.title)
    top = PADDING + title_height
    for index, label in enumerate(column_labels):
        center_x = PADDING + label_width + column_width * index + column_width // 2
        draw.text(
            (center_x, top + ROW_HEIGHT // 2), label, fill=TEXT_COLOR, font=fonts.text, anchor="mm"
        )
    top += header_height

    # 3. One row per stage: its name, then one coloured cell per month.
    for row_index, label in enumerate(row_labels):
        row_top = top + ROW_HEIGHT * row_index
        draw.text(
            (PADDING, row_top + ROW_HEIGHT // 2),
            label,
            fill=TEXT_COLOR,
            font=fonts.text,
            anchor="lm",
        )
        for column_index, share in enumerate(cells[row_index]):
            left = PADDING + label_width + column_width * column_index
            draw.rectangle(
                (left, row_top, left + column_width - 1, row_top + ROW_HEIGHT - 1),
                fill=cell_color(share),
                outline=GRID_COLOR,
            )
            text = "-" if share is None else f"{round(share)}%"
            color = (
                (255, 255, 255) if share is not None and share >= WHITE_TEXT_FROM else TEXT_COLOR
            )
            draw.text(
                (left + column_width // 2, row_top + ROW_HEIGHT // 2),
                text,
                fill=color,
                font=fonts.text,
                anchor="mm",
            )

    # 4. The legend under the table.
    if note:
        note_top = top + ROW_HEIGHT * len(row_labels) + PADDING // 2
        draw.text((PADDING, note_top), note, fill=TEXT_COLOR, font=fonts.note)

    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
