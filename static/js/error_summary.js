// Following a link of the error summary puts the focus on the question it names, not only the
// page's scroll: the person can answer at once. Without JavaScript the link still scrolls there.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const target = link && document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  const field = target.matches("input, select, textarea, button")
    ? target
    : target.querySelector("input, select, textarea, summary");
  (field || target).focus();
});
