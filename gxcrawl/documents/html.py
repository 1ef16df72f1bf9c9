"""HTML pages: find the report on a whole government page, expand its tables.

A report page carries navigation, breadcrumbs, share buttons and footers
around the report, and the report itself is usually pasted from Word (nested
`<p class=MsoNormal><span>`, `&nbsp;`, `<o:p>`, `<br>` inside cells). This
reader finds the report's block, turns its paragraphs into text and its
tables into grids with every rowspan and colspan expanded.
"""

import re
from functools import lru_cache

from lxml import etree
from lxml.cssselect import CSSSelector

from gxcrawl.documents.model import Document, DocumentError, Grid, Paragraph
from gxcrawl.documents.sniff import guess_encoding
from gxcrawl.normalize import readable

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "td",
        "th",
        "tr",
        "ul",
    }
)
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head"})
#: Words that mark a table as one of the report's, and a block as holding the report.
REPORT_TABLE_WORDS = re.compile(r"本年新收|结果维持|第二十条|予以公开|本年制发|本年新制作")
#: A page title's site suffix: 「…年度报告_新乡市人民政府」, 「…-河南省政府」.
TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|-{1,2}|——)\s*")
#: Climbing from the report's tables towards its opening section stops after this many levels.
MAX_CLIMB = 4
_STRING = etree.XPath("string()")
_DECLARED_TITLES = etree.XPath('//h1 | //meta[@name="ArticleTitle"]/@content | //title')
_TITLED = etree.XPath(
    "//*[contains(@class, 'title') or contains(@id, 'title') or contains(@class, 'Title') or contains(@id, 'Title')]"
)
_LEADING_DIGITS = re.compile(r"\s*(\d+)")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
#: Spans larger than this are treated as errors in the page, not as layout.
MAX_COLSPAN = 64


def read_html(data: bytes, content_type: str | None = None, content_selectors: tuple[str, ...] = ()) -> Document:
    """Read an HTML page.

    `content_type` is the HTTP Content-Type header, whose charset wins over the
    page's own `<meta>`; `content_selectors` are CSS selectors of the report's
    block on a known portal, tried before the block is searched for.
    """
    # lxml refuses str input that declares an encoding: the text is decoded already.
    text = _XML_DECLARATION.sub("", decode_html(data, content_type))
    warnings = []
    root, cut = _parse(text)
    if cut:
        # Wrappers nested past libxml2's depth limit (thousands of unclosed <div>s): the rest of the page would be
        # lost. Without its wrapper tags, which hold no table or paragraph, the page is read whole.
        root, cut = _parse(_WRAPPERS.sub("", text))
        warnings.append(
            f"the page nests its markup deeper than the HTML parser goes ({MAX_DEPTH} levels); it was read "
            "without its <div>, <span> and <font> wrappers" + ("; even so, part of it was cut" if cut else "")
        )
    if root is None:
        raise DocumentError("the HTML page is empty")
    etree.strip_elements(root, *SKIPPED_TAGS - {"head"}, with_tail=False)
    container = find_report_block(root, content_selectors)
    blocks: list[Paragraph | Grid] = []
    _Walker(blocks).walk(container)
    titles = page_titles(root)
    # Elements styled as titles are looked at only when the page declares no report title.
    fallback = [] if any("报告" in title for title in titles) else titled_elements(root, container)
    return Document("html", blocks, titles=titles, fallback_titles=fallback, warnings=warnings)


#: How deep libxml2 parses markup with huge_tree (past it, the rest of the page is dropped).
MAX_DEPTH = 2048
#: Tags that only wrap: dropped when a page nests too deep to be parsed whole.
_WRAPPERS = re.compile(r"</?(?:div|span|font|center|section|article)\b[^>]*>", re.I)


def _parse(text: str):
    """The page's tree, and whether libxml2 cut it for nesting too deep."""
    # huge_tree: Word and old editors nest unclosed <font> tags hundreds deep,
    # past which libxml2 would otherwise silently drop the rest of the page.
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise DocumentError(f"the HTML could not be parsed: {error}") from error
    return root, any("Excessive depth" in entry.message for entry in parser.error_log)


#: Characters of a page that may fail to decode (a cut multi-byte character, a stray byte) before its declared
#: encoding is doubted: a GBK page declared UTF-8 fails on nearly every Chinese character.
MAX_UNDECODABLE_SHARE = 0.005


def decode_html(data: bytes, content_type: str | None) -> str:
    """The page's text in the encoding its HTTP header or `<meta>` declares; when that declaration is wrong
    (a GBK page declared UTF-8, as pages pasted between systems are), in the encoding that fits the bytes."""
    from w3lib.encoding import html_to_unicode

    declared, text = html_to_unicode(content_type, data, auto_detect_fun=guess_encoding)
    declared_errors = _undecodable(data, declared)
    if declared_errors <= MAX_UNDECODABLE_SHARE * len(text):
        return text
    candidates = [encoding for encoding in ("gb18030", "utf-8") if encoding != declared]
    errors, encoding = min((_undecodable(data, encoding), encoding) for encoding in candidates)
    fitted = data.decode(encoding, "replace")
    if errors <= MAX_UNDECODABLE_SHARE * len(fitted):
        return fitted
    raise DocumentError(
        f"the page's encoding could not be determined: it is declared {declared}, but {declared_errors} of its "
        f"characters are not {declared}, nor is it {encoding}"
    )


def _undecodable(data: bytes, encoding: str) -> int:
    """How many places of `data` do not decode in `encoding`: each becomes one 「\ufffd」 when replaced and
    nothing when ignored, so a page's own 「\ufffd」 characters are not counted."""
    try:
        return len(data.decode(encoding, "replace")) - len(data.decode(encoding, "ignore"))
    except LookupError:
        return len(data)


def page_titles(root) -> list[str]:
    """Candidate report titles the page declares, best first."""
    found = _DECLARED_TITLES(root)  # one pass over the page; then h1, ArticleTitle, <title>
    ranked = sorted(found, key=lambda node: 1 if isinstance(node, str) else 0 if node.tag == "h1" else 2)
    titles = []
    for node in ranked:
        text = readable(node if isinstance(node, str) else _STRING(node))
        titles.extend(part for part in TITLE_SEPARATORS.split(text) if part)
    return titles


@lru_cache(maxsize=64)
def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


def titled_elements(root, container) -> list[str]:
    """Texts of elements styled as a title outside the report block, for pages without <h1>.

    Links and list items are left out: those are titles of *other* pages.
    """
    found = []
    for element in _TITLED(root):
        if element.tag not in ("div", "p", "h2", "h3", "span", "td"):
            continue
        if any(ancestor.tag in ("a", "li") or ancestor is container for ancestor in element.iterancestors()):
            continue
        text = readable(_STRING(element))
        if 0 < len(text) <= 120:
            found.append(text)
    return found


def find_report_block(root, content_selectors: tuple[str, ...]):
    """The element holding the report: a known selector, else the block around its tables."""
    for selector in content_selectors:
        found = _css(selector)(root)
        if found:
            return found[0]
    tables = [
        table
        for table in root.iter("table")
        if not _has_table_inside(table) and REPORT_TABLE_WORDS.search(_STRING(table))
    ]
    if not tables:
        body = root.find("body")
        return body if body is not None else root
    block = _common_ancestor(tables)
    # Climb until the block also holds the report's opening section, but not
    # to the whole page, whose footer tables would join the report's.
    for _ in range(MAX_CLIMB):
        parent = block.getparent()
        if "总体情况" in _STRING(block) or parent is None or parent.tag in ("body", "html"):
            break
        block = parent
    return block


def _has_table_inside(table) -> bool:
    return next(table.iterdescendants("table"), None) is not None


def _common_ancestor(elements):
    paths = []
    for element in elements:
        path = [element]
        path.extend(element.iterancestors())
        paths.append(path[::-1])
    common = paths[0][0]
    for depth in range(min(len(path) for path in paths)):
        if all(path[depth] is paths[0][depth] for path in paths):
            common = paths[0][depth]
        else:
            break
    return common


class _Walker:
    """Turns an element tree into paragraphs and grids, in document order.

    Iterative, as pages nest elements deeper than Python's recursion allows.
    """

    def __init__(self, blocks):
        self.blocks = blocks
        self.line: list[str] = []

    def flush(self):
        text = readable("".join(self.line))
        if text:
            self.blocks.append(Paragraph(text))
        self.line = []

    def walk(self, root):
        # lxml's iterwalk generates the events in C; a table's or a skipped element's subtree is skipped.
        events = etree.iterwalk(root, events=("start", "end"))
        for event, element in events:
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "end":
                if tag in BLOCK_TAGS:
                    self.flush()
                if element is not root and element.tail:
                    self.line.append(element.tail)
                continue
            if tag in SKIPPED_TAGS:
                events.skip_subtree()
                continue
            if tag == "table" and not _has_table_inside(element):
                self.flush()
                self.blocks.append(Grid(expand_table(element)))
                events.skip_subtree()
                continue
            if tag in BLOCK_TAGS or tag == "br":
                self.flush()
            if element.text:
                self.line.append(element.text)
        self.flush()


#: The most cells a table may expand to: the form's largest table has a few hundred; a page of a thousand
#: cells a row each spanning every row below would expand to hundreds of millions.
MAX_GRID_CELLS = 1_000_000


def expand_table(table) -> list[list[str | None]]:
    """The table as a grid: rowspans repeated down, colspan continuations None."""
    rows = [tr for tr in table.iter("tr")]
    grid: list[list[str | None]] = []
    cells_so_far = 0
    # column → (rows still to cover, text, whether this column is the span's first)
    carried: dict[int, tuple[int, str, bool]] = {}
    for index, tr in enumerate(rows):
        rows_left = len(rows) - index
        cells = [cell for cell in tr if cell.tag in ("td", "th")]
        row: list[str | None] = []
        column = 0
        cell_index = 0
        while True:
            if column in carried:
                left, text, first = carried[column]
                row.append(text if first else None)
                if left > 1:
                    carried[column] = (left - 1, text, first)
                else:
                    del carried[column]
                column += 1
            elif cell_index < len(cells):
                cell = cells[cell_index]
                cell_index += 1
                text = cell_text(cell)
                rowspan = min(_span(cell, "rowspan"), rows_left)
                colspan = min(_span(cell, "colspan"), MAX_COLSPAN)
                for offset in range(colspan):
                    row.append(text if offset == 0 else None)
                    if rowspan > 1:
                        carried[column + offset] = (rowspan - 1, text, offset == 0)
                column += colspan
            elif carried and max(carried) > column:
                row.append("")
                column += 1
            else:
                break
        cells_so_far += len(row)
        if cells_so_far > MAX_GRID_CELLS:
            raise DocumentError(
                f"a table of the page expands to more than {MAX_GRID_CELLS:,} cells by its row and column spans "
                f"(after {index + 1} of its {len(rows)} rows), far more than a report's table has; it was not read"
            )
        grid.append(row)
    return grid


def cell_text(cell) -> str:
    """A cell's text, lines joined as one: labels wrap inside cells (「社会公益<br>组织」)."""
    return readable(_STRING(cell))


def _span(cell, attribute: str) -> int:
    value = cell.get(attribute)
    if not value:
        return 1
    digits = _LEADING_DIGITS.match(value)
    return max(1, int(digits.group(1))) if digits else 1
