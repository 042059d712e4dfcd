// Copying text from the window. The asynchronous Clipboard API first; WebKitGTK refuses it in
// some sessions (no user-gesture token after an await), so a hidden text box and the older
// copy command are the way back.

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // falls through to the older way
  }
  const box = document.createElement("textarea");
  box.value = text;
  box.setAttribute("readonly", "");
  box.style.position = "fixed";
  box.style.opacity = "0";
  document.body.appendChild(box);
  box.select();
  const ok = document.execCommand("copy");
  box.remove();
  if (!ok) throw new Error("The clipboard refused the text.");
}
