// The live overview of the center's day (issue 12, item 1): built by its section.
import { startAdmin } from "./shell.js";

const strings = {
  de: { title: "Tagesüberblick" },
  en: { title: "Today" },
};

startAdmin({
  section: "overview",
  strings,
  render: ({ t, main }) => {
    main.innerHTML = `<h1>${t("title")}</h1>`;
  },
});
