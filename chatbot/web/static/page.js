// The meeting's start in the reader's own zone (from the browser) and a live countdown.
// The server renders everything else; without JavaScript the zone table stands in.
"use strict";

(function () {
  const when = document.getElementById("your-time");
  if (!when) return;
  const start = Date.parse(when.dataset.start);
  const end = Date.parse(when.dataset.end);
  // The bot's clock can be shifted (chatbot --now): count down on its time, not ours.
  const skew = Date.parse(when.dataset.now) - Date.now();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  // en-GB parts, assembled as the bot writes times: "Wednesday 21 March, 10:00".
  const parts = {};
  new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(start)).forEach((part) => { parts[part.type] = part.value; });
  const year = parts.year === when.dataset.year ? "" : " " + parts.year;
  const local = `${parts.weekday} ${parts.day} ${parts.month}${year}, ${parts.hour}:${parts.minute}`;

  const label = document.createElement("span");
  label.textContent = "Your time: ";
  const strong = document.createElement("strong");
  strong.id = "local-start";
  strong.textContent = local;
  const where = document.createElement("span");
  where.textContent = ` (${zone}, your browser's zone)`;
  when.replaceChildren(label, strong, where);

  const countdown = document.getElementById("countdown");
  const two = (n) => String(n).padStart(2, "0");
  function distance(ms) {
    const seconds = Math.floor(ms / 1000);
    const days = Math.floor(seconds / 86400);
    const clock = `${Math.floor(seconds % 86400 / 3600)}:${two(Math.floor(seconds % 3600 / 60))}:${two(seconds % 60)}`;
    return days ? `${days} day${days === 1 ? "" : "s"}, ${clock}` : clock;
  }
  function tick() {
    const now = Date.now() + skew;
    if (now < start) {
      countdown.textContent = "starts in " + distance(start - now);
    } else if (now < end) {
      countdown.textContent = "in progress, ends in " + distance(end - now);
    } else {
      countdown.textContent = "this meeting is over; reload the page for the next one";
      return;
    }
    setTimeout(tick, 1000 - (now % 1000));
  }
  tick();
})();
