/** The console's own few styles, served as /static/console.css (the CSP allows no inline style). */
export const CONSOLE_CSS = `
.console-text { white-space: pre-wrap; overflow-wrap: anywhere; font-family: "Marianne", arial, sans-serif; font-size: 0.875rem;
  background: var(--background-alt-grey); padding: 1rem; border-left: 4px solid var(--border-default-grey); max-height: 40rem; overflow: auto; }
.console-raw { white-space: pre-wrap; overflow-wrap: anywhere; font-family: monospace; font-size: 0.8rem; background: var(--background-alt-grey); padding: 1rem; }
.console-warnings li { margin-bottom: 0.25rem; }
.console-nowrap { white-space: nowrap; }
.console-mail { border: 1px solid var(--border-default-grey); padding: 1rem; margin-bottom: 1rem; }
.console-mail dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 0.75rem 0; }
.console-mail dt { font-weight: 700; }
.console-mail dd { margin: 0; overflow-wrap: anywhere; }
.console-facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1.5rem; }
.console-facts dt { font-weight: 700; }
.console-facts dd { margin: 0; overflow-wrap: anywhere; }
.console-chart { max-width: 100%; height: auto; }
.console-chart .bar { fill: var(--background-action-high-blue-france); }
.console-chart .bar-alt { fill: var(--background-action-high-error); }
.console-chart text { font-family: "Marianne", arial, sans-serif; font-size: 11px; fill: var(--text-default-grey); }
.console-chart .axis { stroke: var(--border-default-grey); }
.console-doc-image { max-width: 100%; border: 1px solid var(--border-default-grey); }
.console-inline-form { display: inline; }
`;
