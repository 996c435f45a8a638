/**
 * A strict gateway's content negotiation (RFC 9110 §12.5.1): whether an Accept header admits the media type an
 * operation produces. No Accept header admits anything; `q=0` refuses a range; parameters other than q are ignored.
 */
export function accepts(accept: string | undefined, produces: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [type, subtype] = produces.split(';')[0]!.trim().toLowerCase().split('/');
  return accept.split(',').some((range) => {
    const [media = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    const [t, s] = media.split('/');
    return (t === '*' && s === '*') || (t === type && (s === '*' || s === subtype));
  });
}
