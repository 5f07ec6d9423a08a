// The pages' few behaviours, bound here rather than inline: the
// Content-Security-Policy admits scripts from this origin only.
(function () {
  'use strict';

  // <button data-print>: print the page.
  document.addEventListener('click', function (e) {
    var target = e.target instanceof Element ? e.target.closest('[data-print]') : null;
    if (target) {
      e.preventDefault();
      window.print();
    }
  });

  // <form data-confirm="将向 9 个渠道发布二级（橙色）预警">, or the same on a
  // submit button: an irreversible action asks first, saying what will happen.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var button = e.submitter;
    var message = (button && button.dataset && button.dataset.confirm) || (form.dataset && form.dataset.confirm);
    if (message && !window.confirm(message)) {
      e.preventDefault();
    }
  });

  // <a data-back href="/">: back to the page before (keeps what was typed there).
  document.addEventListener('click', function (e) {
    var target = e.target instanceof Element ? e.target.closest('[data-back]') : null;
    if (target && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });

  // <div id="board" data-events="URL">: the live emergency board, fed by server-sent events.
  function liveBoard() {
    var board = document.getElementById('board');
    if (!board || !board.dataset.events || !window.EventSource) return;
    var status = document.getElementById('board-status');
    var es = new EventSource(board.dataset.events);
    es.addEventListener('board', function (e) {
      board.innerHTML = e.data;
      if (status) status.textContent = '最近更新：' + new Date().toLocaleTimeString('zh-CN');
    });
    es.onerror = function () {
      if (status) status.textContent = '连接中断，正在重连……';
    };
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', liveBoard);
  } else {
    liveBoard();
  }
})();
