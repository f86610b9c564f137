/**
 * Uploading media to the relay (RP19), as the admin's library queue does: apart from
 * `relay-api.ts` so that no other screen's bundle carries it.
 */
import type { MediaUploadResponse } from '@djamms/protocol';
import { ACCEPTED_MEDIA_TYPES, uploadTypeOf } from '@djamms/protocol';
import { RelayError } from '../relay-api';

/**
 * Uploads a media file (admin) and answers its content address (RP19; 201 stored, 200 known). Sent with XMLHttpRequest
 * for its upload progress (`progress(sent, total)` in bytes; fetch has none). A file of a type the
 * relay does not accept is refused here, before any byte is sent; a network failure is a
 * `RelayError` with status 0 and reason `offline`.
 */
export function uploadMedia(
  relay: string,
  token: string,
  venueId: string,
  file: Blob & { readonly name?: string },
  progress?: (sent: number, total: number) => void,
): Promise<MediaUploadResponse> {
  const type = uploadTypeOf(file);
  if (!type) {
    return Promise.reject(
      new RelayError(
        415,
        'unsupported-media-type',
        `${file.name ?? ''}: ${ACCEPTED_MEDIA_TYPES} only`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${relay}/api/venues/${venueId}/media`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', type);
    xhr.upload.onprogress = (e) => progress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(OFFLINE());
    xhr.onabort = () => reject(OFFLINE());
    xhr.onload = () => {
      let body: Partial<MediaUploadResponse> & { error?: string; message?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // A proxy's HTML error page: the status says enough.
      }
      if (xhr.status === 200 || xhr.status === 201) {
        resolve(body as MediaUploadResponse);
      } else {
        const reason = body.error ?? `http-${xhr.status}`;
        reject(new RelayError(xhr.status, reason, body.message ?? xhr.statusText));
      }
    };
    xhr.send(file);
  });
}

const OFFLINE = () => new RelayError(0, 'offline', 'The relay could not be reached.');

/**
 * The media type the relay stores for `sha256`, or null when it does not hold that file (`HEAD
 * /media/<sha256>`, anyone may ask). Lets a device skip uploading a file the relay already has.
 */
export async function storedMediaType(relay: string, sha256: string): Promise<string | null> {
  const res = await fetch(`${relay}/media/${sha256}`, { method: 'HEAD' }).catch(() => {
    throw OFFLINE();
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new RelayError(res.status, `http-${res.status}`, res.statusText);
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim() || null;
}
