import { renderTable as driftTable } from '../../cli/drift/report';
import { renderTable as runTable, ResourceRow } from '../../local/runner/report';
import { fit, layout } from '../../cli/table';

/**
 * The tables of deploy-local, destroy-local and drift share one layout: at most 120
 * columns a line, long ids shortened in the middle, `--wide` keeps everything whole.
 */

const INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/c67f1362-968c-409c-a7e8-701a581fb22d';
const ENDPOINT = `${INSTANCE}/user/lead/endpoints/61f2a4b3623691910cd4d163529c5e99cbb79f355cac691326d3093ca776d02e`;

const rows: ResourceRow[] = [
  { stackName: 'S', logicalId: 'OpsA097D252', type: 'Custom::WickrNetwork', physicalId: '19123196', action: 'created' },
  { stackName: 'S', logicalId: 'WickrChimeProviderHandlerServiceRoleDefaultPolicyF70E7C19', type: 'AWS::IAM::Policy', physicalId: 'S-WickrChimeProviderHandlerServiceR-CBY6UDHJDXM9', action: 'created' },
  { stackName: 'S', logicalId: 'LeadIsAdmin78C85618', type: 'Custom::ChimeAppInstanceAdmin', physicalId: `${INSTANCE}|${INSTANCE}/user/lead`, action: 'updated' },
  { stackName: 'S', logicalId: 'LeadPhone62101351', type: 'Custom::ChimeAppInstanceUserEndpoint', physicalId: ENDPOINT, action: 'rolled back' },
  { stackName: 'S', logicalId: 'Agent255F68E9', type: 'Custom::ChimeAppInstanceUser', action: 'failed', reason: `create failed: chime ConflictException (HTTP 409): ${'x'.repeat(200)}` },
];

describe('deploy-local / destroy-local table', () => {
  test('given physical ids of 200 columns, when printed, then every line fits 120 columns, ids shortened in the middle, types and actions whole', () => {
    const lines = runTable(rows);
    expect(lines.map((l) => l.length).filter((n) => n > 120)).toEqual([]);
    expect(lines[0]).toMatch(/^Logical ID +Type +Physical ID +Action$/);
    expect(lines[1]).toMatch(/^-+ {2}-+ {2}-+ {2}------$/);
    const endpoint = lines.find((l) => l.startsWith('LeadPhone62101351'))!;
    expect(endpoint).toContain('Custom::ChimeAppInstanceUserEndpoint');
    expect(endpoint).toMatch(/ {2}arn:aws:chime:us\S*\.\.\.\S*76d02e {2}rolled back$/);
    const policy = lines.find((l) => l.startsWith('WickrChime'))!;
    expect(policy).toMatch(/^WickrChime\S*\.\.\.\S*F70E7C19 +AWS::IAM::Policy /);
    // A long reason is cut at the end of its line (the run prints it whole above the table).
    expect(lines.find((l) => l.startsWith('Agent255F68E9'))).toMatch(/ {2}failed \(\.\.\.$/);
  });

  test('given --wide, when printed, then every cell is whole', () => {
    const lines = runTable(rows, true);
    expect(lines.find((l) => l.startsWith('LeadPhone62101351'))).toMatch(new RegExp(`${ENDPOINT} +rolled back$`));
    expect(lines.find((l) => l.startsWith('WickrChimeProviderHandlerServiceRoleDefaultPolicyF70E7C19'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('Agent255F68E9'))).toContain(`${'x'.repeat(200)})`);
  });

  test('given short cells, when printed, then the columns are sized to the content (as before)', () => {
    const short = runTable([{ stackName: 'S', logicalId: 'Hello', type: 'Custom::Toy', physicalId: 'toy-1', action: 'created' }]);
    expect(short).toEqual(['Logical ID  Type         Physical ID  Action', '----------  -----------  -----------  ------', 'Hello       Custom::Toy  toy-1        created']);
  });
});

describe('drift table (same layout)', () => {
  test('given long values, when printed, then lines fit 120 columns unless wide', () => {
    const reports = [
      {
        stackName: 'AStackWithAVeryLongNameIndeed',
        resources: [
          { logicalId: 'LeadPhone62101351', type: 'Custom::ChimeAppInstanceUserEndpoint', status: 'MODIFIED' as const, drifts: [{ path: 'Name', expected: 'a'.repeat(90), actual: 'b'.repeat(90) }] },
        ],
      },
    ];
    expect(driftTable(reports).every((l) => l.length <= 120)).toBe(true);
    expect(driftTable(reports)[1]).toMatch(/^AStackW\.\.\.Indeed {2}LeadPhone62101351 /);
    expect(driftTable(reports, true)[1]).toContain(`Name: "${'a'.repeat(90)}" -> "${'b'.repeat(90)}"`);
  });
});

describe('layout', () => {
  test('fit shortens in the middle, keeping both ends', () => {
    expect(fit('abcdefghij', 7)).toBe('ab...ij');
    expect(fit('abcdefghij', 10)).toBe('abcdefghij');
    expect(fit('abcdefghij', 7, true)).toBe('abcdefghij');
    expect(fit('abcdefghij', 2)).toBe('ab');
  });

  test('caps, floors and the room kept for the last column', () => {
    const table = [
      ['a', 'b', 'c'],
      ['x'.repeat(100), 'y'.repeat(100), 'last cell'],
    ];
    const lines = layout(table, { width: 60, floors: [5, 40], lastColumn: 9 });
    expect(lines.map((l) => l.length)).toEqual([expect.any(Number), 60]);
    // the second column stays at its floor, the first takes what is left
    expect(lines[1]).toBe(`${fit('x'.repeat(100), 7)}  ${fit('y'.repeat(100), 40)}  last cell`);
    expect(layout(table, { caps: [5, 5] })[1]).toBe('x...x  y...y  last cell');
    expect(layout(table, { wide: true })[1]).toBe(`${'x'.repeat(100)}  ${'y'.repeat(100)}  last cell`);
  });
});
