// Unmounts rendered components after every test.
import "@testing-library/svelte/vitest";
