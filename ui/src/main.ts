import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { applyTextScale } from "./lib/textScale";

// Before mounting: the history table sizes its rows from the root font size.
applyTextScale(document.documentElement, (window as { __TASKBELL_TEXT_SCALE__?: unknown }).__TASKBELL_TEXT_SCALE__);

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
