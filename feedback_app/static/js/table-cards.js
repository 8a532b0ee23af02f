// Staff tables become one card per row on narrow screens (staff.css, .as-cards): each cell is
// labelled with its column's heading, so a row's figures and actions read without the header.
(function () {
  "use strict";
  for (const table of document.querySelectorAll("main table:not(.review-list):not(.audit-diff)")) {
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    if (!headings.length) continue;
    for (const row of table.querySelectorAll("tbody tr, tfoot tr")) {
      [...row.children].forEach((cell, index) => {
        if (headings[index] && !cell.hasAttribute("data-label")) cell.dataset.label = headings[index];
      });
    }
    table.classList.add("as-cards");
  }
})();
