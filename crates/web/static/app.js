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
