// download.js - hand a Blob to the browser as a file download under the server's file name.

/** Save blob as `filename` through a temporary object URL and a clicked <a download>. */
export function saveBlob(blob, filename) {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = filename || 'download';
	a.rel = 'noopener';
	a.style.display = 'none';
	document.body.appendChild(a);
	a.click();
	a.remove();
	// Give the browser time to start the download before the URL goes.
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** A byte count for people: 980 B, 12.4 KB, 3.1 MB. */
export function fmtSize(n) {
	const b = Number(n) || 0;
	if (b < 1024) return `${b} B`;
	if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KB`;
	return `${(b / 1024 / 1024).toFixed(1)} MB`;
}
