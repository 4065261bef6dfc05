// A CSV link holds its file as a data: address, which browsers refuse to download past a few
// megabytes; on a page, each becomes a blob address, which has no such limit.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll('a[download][href^="data:text/csv"]').forEach((link) => {
    const text = atob(link.href.slice(link.href.indexOf(",") + 1));
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    link.href = URL.createObjectURL(new Blob([bytes], { type: "text/csv" }));
  });
});
