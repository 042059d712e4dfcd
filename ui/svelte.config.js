// svelte-check only reads the compiler options from a file of this name; without one it tries the
// Vite config and stops at every component. Svelte 5 compiles TypeScript itself, so nothing else
// is needed here.
export default {};
