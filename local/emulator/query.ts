import { randomUUID } from 'crypto';
import { EmulatorRequest, EmulatorResponse, queryValue } from './protocol';

/**
 * The awsQuery protocol, as CloudFormation speaks it: the request's parameters come
 * form-encoded in a `POST /` body (`Action=DescribeStacks&Version=2010-05-15&StackName=x`;
 * a GET's query string works too), answers are XML documents in the service's namespace
 * (`<DescribeStacksResponse><DescribeStacksResult>...</DescribeStacksResult>
 * <ResponseMetadata><RequestId>`), lists are `<member>` elements, and errors are
 * `<ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...</Message></Error>
 * <RequestId>...</RequestId></ErrorResponse>`.
 */

/** A value as an XML element's content: text, a list (`<member>` elements) or nested elements (undefined members left out). */
export type XmlValue = string | number | boolean | readonly XmlValue[] | { readonly [name: string]: XmlValue | undefined };

/** The request's parameters: the query string's, then the form-encoded body's (its values win; of a repeated key, the first). */
export function queryParams(req: EmulatorRequest): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  for (const key of Object.keys(req.query)) params[key] = queryValue(req.query, key) ?? '';
  const type = req.headers['content-type'] ?? '';
  if (req.body.length > 0 && (type === '' || type.startsWith('application/x-www-form-urlencoded'))) {
    const form = new URLSearchParams(req.body.toString('utf8'));
    for (const key of new Set(form.keys())) params[key] = form.get(key) ?? '';
  }
  return params;
}

/** A successful answer: `<{Action}Response xmlns=...><{Action}Result>...</{Action}Result><ResponseMetadata>`. */
export function queryResponse(namespace: string, action: string, result: { readonly [name: string]: XmlValue | undefined }): EmulatorResponse {
  const requestId = randomUUID();
  const body =
    `<${action}Response xmlns="${namespace}">\n` +
    `  <${action}Result>${elements(result)}</${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** An error in the awsQuery format; `Type` is `Receiver` for a 5xx, else `Sender`. */
export function queryError(namespace: string, status: number, code: string, message: string): EmulatorResponse {
  const requestId = randomUUID();
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${namespace}">\n` +
    `  <Error>\n    <Type>${type}</Type>\n    <Code>${escapeXml(code)}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`;
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** The members of a structure as elements, in their order. */
export function elements(members: { readonly [name: string]: XmlValue | undefined }): string {
  return Object.entries(members)
    .filter((entry): entry is [string, XmlValue] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${content(value)}</${name}>`)
    .join('');
}

function content(value: XmlValue): string {
  if (Array.isArray(value)) return value.map((item: XmlValue) => `<member>${content(item)}</member>`).join('');
  if (typeof value === 'object') return elements(value as { readonly [name: string]: XmlValue | undefined });
  return escapeXml(String(value));
}

/** Text as XML element content: markup characters and quotes as entities, a carriage return as `&#13;` (parsers would turn a raw one into a line feed). */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"\r]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;', '\r': '&#13;' })[c] ?? c);
}
