// What the public pages use of Bootstrap: the classes found in our templates, in the templates
// crispy-bootstrap5 renders fields with, and in Python code that sets classes on widgets.
// `make css` passes the crispy templates' folder as CRISPY_TEMPLATES.
module.exports = {
  content: [
    "../templates/**/*.html",
    "../complaints/**/*.py",
    `${process.env.CRISPY_TEMPLATES}/**/*.html`,
    // Django writes the inputs' types from Python (RadioSelect, CheckboxInput…), which the scan
    // above does not see: without these, radio buttons would be drawn as square boxes.
    { raw: '<input type="radio"><input type="checkbox"><input type="file"><input type="text">', extension: "html" },
  ],
  css: ["../static/vendor/bootstrap/bootstrap.min.css"],
  output: "../static/vendor/bootstrap/bootstrap.trimmed.min.css",
  // Built from a message's level in base.html: alert-{{ message.tags }}.
  safelist: { standard: [/^alert-(success|info|warning|danger)$/] },
  fontFace: true,
  keyframes: true,
  variables: true,
};
