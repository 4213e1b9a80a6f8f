// The deal board: dragging a card to another column posts the move (the same request as the
// card's arrow buttons, which are the keyboard's way) and shows the board the server answers.
// After a move by button, the focus comes back to the same button on the moved card.
(function () {
  "use strict";

  var lastMove = null;

  function moveTo(card, stageId) {
    lastMove = { card: card.id, direction: null };
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: "#deal-board",
      swap: "outerHTML",
      values: { stage: stageId },
    });
  }

  function setUp(root) {
    root.querySelectorAll(".board-cards").forEach(function (list) {
      if (list.sortable) return;
      list.sortable = Sortable.create(list, {
        group: "deals",
        sort: false, // a column's order is the server's (latest arrival first)
        draggable: ".deal-card",
        filter: "button, a, input, select",
        preventOnFilter: false,
        animation: 150,
        // On a touch screen a short press starts a drag, so a swipe still scrolls the board.
        delayOnTouchOnly: true,
        delay: 180,
        ghostClass: "deal-card-ghost",
        onEnd: function (event) {
          if (event.from === event.to) return;
          moveTo(event.item, event.to.dataset.stage);
        },
      });
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.elt.querySelector && event.detail.elt.querySelector("[data-move]");
    var card = event.detail.elt.closest && event.detail.elt.closest(".deal-card");
    if (button && card) lastMove = { card: card.id, direction: button.dataset.move };
  });

  htmx.onLoad(function (root) {
    setUp(root);
    if (!lastMove || !root.querySelector) return;
    var card = document.getElementById(lastMove.card);
    if (card) {
      var target =
        (lastMove.direction && card.querySelector("[data-move=" + lastMove.direction + "]")) ||
        card.querySelector("[data-move]") ||
        card.querySelector("a");
      if (target) target.focus();
      card.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    lastMove = null;
  });
})();
