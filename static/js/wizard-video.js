/* Tell the team the prospect played their video (the server counts one play per half hour). */
(function () {
  "use strict";
  var video = document.getElementById("prospect-video");
  if (!video) { return; }
  video.addEventListener("play", function () {
    var url = video.dataset.playUrl;
    if (!(navigator.sendBeacon && navigator.sendBeacon(url))) {
      fetch(url, {method: "POST", keepalive: true});
    }
  });
})();
