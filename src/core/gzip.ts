/**
 * Gzip on files with the Web platform's `CompressionStream`, chunk by chunk,
 * so compressing a rotated log never holds the event loop for long.
 *
 * @module
 */

/**
 * Compresses `source` into `target` (created or truncated, with the
 * permissions of `source`). Does not remove `source`.
 */
export async function gzipFile(source: string, target: string): Promise<void> {
  const input = await Deno.open(source, { read: true });
  let output: Deno.FsFile;
  try {
    const mode = ((await input.stat()).mode ?? 0o600) & 0o777;
    output = await Deno.open(target, { write: true, create: true, truncate: true, mode });
  } catch (error) {
    input.close();
    throw error;
  }
  // pipeTo closes both files when it ends, also on error.
  await input.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(output.writable);
}

/** The bytes of a gzip file, decompressed. */
export async function gunzipFile(path: string): Promise<Uint8Array> {
  const input = await Deno.open(path, { read: true });
  const stream = input.readable.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
