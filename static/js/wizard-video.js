/* Tell the team the prospect played their video (the server counts one play per half hour),
   and how far into it they got: the furthest point reached, as a share of its length, sent
   when they pause, finish or leave the page. */
(function () {
  "use strict";
  var video = document.getElementById("prospect-video");
  if (!video) { return; }
  var furthest = 0;
  var reported = -1;

  function send(url, body) {
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      fetch(url, {method: "POST", body: body, keepalive: true});
    }
  }

  function reportWatched() {
    if (!video.duration || !isFinite(video.duration) || furthest === reported) { return; }
    reported = furthest;
    var share = Math.min(1, furthest / video.duration);
    send(video.dataset.watchedUrl, new URLSearchParams({watched: share.toFixed(3)}));
  }

  video.addEventListener("play", function () { send(video.dataset.playUrl); });
  video.addEventListener("timeupdate", function () {
    furthest = Math.max(furthest, video.currentTime);
  });
  video.addEventListener("ended", function () {
    furthest = video.duration;
    reportWatched();
  });
  video.addEventListener("pause", reportWatched);
  // Leaving mid-video pauses nothing: the page going away is the last chance to tell.
  window.addEventListener("pagehide", reportWatched);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { reportWatched(); }
  });
})();
