// Unmounts rendered components after every test, and starts each with empty storage so a draft
// saved by one test is not restored into the next.
import "@testing-library/svelte/vitest";
import { beforeEach } from "vitest";

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});
