/* The plan's Gantt chart: frappe-gantt bars and arrows, plus what it lacks (baseline bars, a
 * today line, milestone diamonds), and drag-to-reschedule through the server.
 *
 * The page holds the chart data as JSON (#gantt-data) and #gantt's data attributes: the URL to
 * reload the data from, the URL to post a dragged bar to (task id 0 as a placeholder), whether
 * the chart is read-only, and the CSRF token.
 */
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const DAY = 24 * 60 * 60 * 1000;
  const root = document.getElementById("gantt");
  if (!root || !window.Gantt) return;
  const status = document.getElementById("gantt-status");
  const readonly = root.dataset.readonly === "true";
  let plan = JSON.parse(document.getElementById("gantt-data").textContent);
  let byId = {};

  function wbsKey(task) {
    return task.wbs.split(".").map(Number);
  }

  function byWbs(a, b) {
    const x = wbsKey(a);
    const y = wbsKey(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return x[i] - y[i];
    }
    return x.length - y.length;
  }

  function parse(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(y, m - 1, d);
  }

  function iso(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }

  /* One class per bar: frappe-gantt adds it with classList.add, which refuses spaces. */
  function barClass(t) {
    if (t.summary) return "bar-summary";
    if (t.milestone) return t.critical ? "bar-milestone-critical" : "bar-milestone";
    return t.critical ? "bar-critical" : "";
  }

  /* frappe-gantt's bars for the plan's tasks, in WBS order. */
  function bars(data) {
    const tasks = data.tasks.filter((t) => t.start && t.finish).sort(byWbs);
    byId = {};
    tasks.forEach((t) => (byId[String(t.id)] = t));
    return tasks.map((t) => ({
      id: String(t.id),
      name: t.milestone ? t.name : `${t.wbs} ${t.name}`,
      start: t.start,
      end: t.finish,
      progress: 0,
      dependencies: t.dependencies.map(String).filter((id) => id in byId),
      custom_class: barClass(t),
    }));
  }

  function say(text, kind) {
    status.innerHTML = "";
    if (!text) return;
    const div = document.createElement("div");
    div.className = `message message-${kind}`;
    div.textContent = text;
    status.appendChild(div);
  }

  /* frappe-gantt's own date difference, so that our x positions match its bars exactly. */
  function diff(a, b, unit) {
    const ms = a - b + (b.getTimezoneOffset() - a.getTimezoneOffset()) * 60000;
    if (unit === "hour") return ms / 3600000;
    if (unit === "day") return ms / DAY;
    let months = (a.getFullYear() - b.getFullYear()) * 12 + a.getMonth() - b.getMonth();
    months += a.getDate() / 31;
    if (a.getDate() < b.getDate()) months--;
    return unit === "year" ? months / 12 : months;
  }

  function xOf(chart, date) {
    const { unit, step, column_width: width } = chart.config;
    return (Math.round(diff(date, chart.gantt_start, unit) * 100) / 100 / step) * width;
  }

  function shape(parent, name, attrs, title) {
    const el = document.createElementNS(SVG, name);
    Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
    if (title) {
      const t = document.createElementNS(SVG, "title");
      t.textContent = title;
      el.appendChild(t);
    }
    parent.appendChild(el);
    return el;
  }

  /* Baseline bars under the current bars, milestone diamonds and the today line. */
  function decorate(chart) {
    chart.$svg.querySelectorAll(".pmo-extra").forEach((el) => el.remove());
    const layer = document.createElementNS(SVG, "g");
    layer.setAttribute("class", "pmo-extra");
    chart.$svg.insertBefore(layer, chart.layers.arrow);
    const height = chart.$svg.getAttribute("height") || chart.$svg.getBBox().height;
    chart.bars.forEach((bar) => {
      const task = byId[bar.task.id];
      if (!task) return;
      const top = bar.$bar.getY();
      const size = bar.$bar.getHeight();
      if (task.baseline_start && task.baseline_finish) {
        const x1 = xOf(chart, parse(task.baseline_start));
        const x2 = xOf(chart, new Date(parse(task.baseline_finish).getTime() + DAY));
        shape(
          layer,
          "rect",
          {
            class: "baseline-bar",
            x: x1,
            y: top + size + 2,
            width: Math.max(x2 - x1, 3),
            height: 5,
            rx: 1,
          },
          `Baseline: ${task.baseline_start} – ${task.baseline_finish}`,
        );
      }
      if (task.milestone) {
        const cx = bar.$bar.getX() + Math.min(bar.$bar.getWidth() / 2, size / 2);
        const cy = top + size / 2;
        const r = size / 2;
        shape(bar.bar_group, "polygon", {
          class: "milestone-diamond",
          points: `${cx},${cy - r} ${cx + r},${cy} ${cx},${cy + r} ${cx - r},${cy}`,
        });
        // frappe-gantt places labels in an animation frame of its own; ours comes after it
        requestAnimationFrame(() => {
          const label = bar.group.querySelector(".bar-label");
          if (!label) return;
          label.setAttribute("x", cx + r + 5);
          label.classList.add("big");
        });
      }
    });
    const today = parse(plan.today);
    if (today >= chart.gantt_start && today <= chart.gantt_end) {
      const x = xOf(chart, today);
      shape(layer, "line", { class: "today-line", x1: x, x2: x, y1: 0, y2: height }, `Today ${plan.today}`);
    }
  }

  let pending = null;
  const chart = new window.Gantt(root, bars(plan), {
    view_mode: "Week",
    view_mode_select: false,
    scroll_to: "start",
    today_button: false,
    infinite_padding: false,
    move_dependencies: false,
    readonly_progress: true,
    readonly,
    bar_height: 20,
    padding: 16,
    popup_on: "click",
    popup: (ctx) => {
      const t = byId[ctx.task.id];
      ctx.set_title(`${t.wbs} ${t.name}`);
      ctx.set_subtitle(t.critical ? "On the critical path" : `Total float ${t.total_float} d`);
      const base = t.baseline_start ? `<br>Baseline ${t.baseline_start} – ${t.baseline_finish}` : "";
      ctx.set_details(`${t.start} – ${t.finish} (${t.duration} d)${base}`);
    },
    // frappe-gantt reports every step of a drag; keep the last and save it on release
    on_date_change: (task, start, end) => (pending = { id: task.id, start, end }),
  });
  const render = chart.render.bind(chart);
  chart.render = () => {
    render();
    decorate(chart);
  };
  decorate(chart);

  async function reload() {
    const answer = await fetch(root.dataset.dataUrl, { headers: { Accept: "application/json" } });
    if (!answer.ok) return;
    plan = await answer.json();
    chart.setup_tasks(bars(plan));
    chart.change_view_mode(undefined, true);
  }

  async function save(id, start, end) {
    const task = byId[id];
    const body = new URLSearchParams({ start: iso(start), end: iso(end), version: task.version });
    let answer;
    try {
      answer = await fetch(root.dataset.dragUrl.replace("/0/", `/${task.id}/`), {
        method: "POST",
        headers: { "X-CSRFToken": root.dataset.csrf },
        body,
      });
      const reply = await answer.json();
      say(reply.message, answer.ok ? "success" : "error");
    } catch (error) {
      say("The change could not be saved; the chart shows the plan as stored.", "error");
    }
    await reload();
  }

  document.addEventListener("mouseup", () =>
    setTimeout(() => {
      if (!pending) return;
      const { id, start, end } = pending;
      pending = null;
      save(id, start, end);
    }, 0),
  );

  document.querySelectorAll("[data-view-mode]").forEach((button) => {
    button.addEventListener("click", () => {
      chart.change_view_mode(button.dataset.viewMode);
      document
        .querySelectorAll("[data-view-mode]")
        .forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    });
  });
  root.dataset.ready = "true";
})();
