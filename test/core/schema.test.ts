import { PropertyError } from '../../lambda/core/errors';
import { bool, decodeProperties, int, list, oneOf, optional, str, stringMap, struct, withDefault } from '../../lambda/core/schema';

interface Sample {
  Name: string;
  Enabled: boolean;
  Count?: number;
  Level: 'A' | 'B';
  Items: Array<{ Flag: boolean; Size: number }>;
  Tags: Record<string, string>;
  Mode: number;
}

const schema = struct<Sample>({
  Name: str({ minLength: 1, maxLength: 5 }),
  Enabled: bool(),
  Count: optional(int({ min: 0, max: 10 })),
  Level: oneOf('A', 'B'),
  Items: withDefault(list(struct({ Flag: bool(), Size: int() }), { maxItems: 2 }), []),
  Tags: withDefault(stringMap(), {}),
  Mode: withDefault(int({ oneOf: [0, 20, 60] }), 0),
});

describe('property decoding', () => {
  test('CloudFormation strings decode to booleans, integers, lists and nested objects', () => {
    // given the properties exactly as CloudFormation delivers them (every leaf a string)
    const raw = {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x',
      Name: 'ops',
      Enabled: 'false',
      Count: '7',
      Level: 'B',
      Items: [{ Flag: 'true', Size: '512000' }],
      Tags: { team: 'platform' },
      Mode: '60',
    };
    // when decoded
    const decoded = decodeProperties(schema, raw);
    // then the values are typed, false stays false, and ServiceToken is not ours
    expect(decoded).toEqual({ Name: 'ops', Enabled: false, Count: 7, Level: 'B', Items: [{ Flag: true, Size: 512000 }], Tags: { team: 'platform' }, Mode: 60 });
  });

  test('already-typed values decode to themselves', () => {
    const typed = { Name: 'ops', Enabled: true, Level: 'A', Items: [], Tags: {}, Mode: 0 };
    expect(decodeProperties(schema, typed)).toEqual(typed);
    expect(decodeProperties(schema, decodeProperties(schema, typed))).toEqual(typed);
  });

  test('unknown keys are ignored (the wire format only gains keys)', () => {
    expect(decodeProperties(schema, { Name: 'a', Enabled: 'true', Level: 'A', Future: 'x' })).not.toHaveProperty('Future');
  });

  test.each([
    [{ Enabled: 'true', Level: 'A' }, 'property Name is required'],
    [{ Name: '', Enabled: 'true', Level: 'A' }, 'property Name must be at least 1 character(s) long (received "")'],
    [{ Name: 'toolong', Enabled: 'true', Level: 'A' }, 'property Name must be at most 5 character(s) long'],
    [{ Name: 'a', Enabled: 'yes', Level: 'A' }, 'property Enabled must be true or false (received "yes")'],
    [{ Name: 'a', Enabled: 'true', Level: 'C' }, 'property Level must be one of A, B (received "C")'],
    [{ Name: 'a', Enabled: 'true', Level: 'A', Count: '1.5' }, 'property Count must be an integer (received "1.5")'],
    [{ Name: 'a', Enabled: 'true', Level: 'A', Count: '11' }, 'property Count must be at most 10'],
    [{ Name: 'a', Enabled: 'true', Level: 'A', Items: [{ Flag: 'true', Size: 'x' }] }, 'property Items[0].Size must be an integer'],
    [{ Name: 'a', Enabled: 'true', Level: 'A', Items: [{}, {}, {}] }, 'property Items must have at most 2 item(s)'],
    [{ Name: 'a', Enabled: 'true', Level: 'A', Items: 'x' }, 'property Items must be a list'],
    [{ Name: 'a', Enabled: 'true', Level: 'A', Mode: '30' }, 'property Mode must be one of 0, 20, 60'],
  ])('rejects %j with a message naming the property', (raw, message) => {
    expect(() => decodeProperties(schema, raw)).toThrow(PropertyError);
    expect(() => decodeProperties(schema, raw)).toThrow(message);
  });
});

describe('lenient decoding (what exists: a Delete\'s properties, an Update\'s old ones)', () => {
  test('converts the strings but enforces no rule; what cannot be converted is left out', () => {
    const raw = { Name: 'much-too-long', Enabled: 'maybe', Level: 'C', Count: '99', Items: [{ Flag: 'true', Size: 'x' }, {}, {}], Mode: '30' };
    expect(decodeProperties(schema, raw, { lenient: true })).toEqual({
      Name: 'much-too-long',
      Level: 'C',
      Count: 99,
      Items: [{ Flag: true }, {}, {}],
      Tags: {},
      Mode: 30,
    });
  });

  test('missing required keys and wrong containers are not errors', () => {
    expect(decodeProperties(schema, { Items: 'x', Tags: [] }, { lenient: true })).toEqual({ Items: [], Tags: {}, Mode: 0 });
  });
});

describe('keys that are names of Object\'s own members', () => {
  test('a map key `__proto__`, `toString` or `constructor` is data, kept as an own property', () => {
    const raw = JSON.parse('{"Name":"a","Enabled":"true","Level":"A","Tags":{"__proto__":"x","toString":"y","constructor":"z"}}');
    const decoded = decodeProperties(schema, raw);
    expect(Object.keys(decoded.Tags)).toEqual(['__proto__', 'toString', 'constructor']);
    expect(Object.getPrototypeOf(decoded.Tags)).toBe(Object.prototype);
    expect(decoded.Tags.toString).toBe('y');
  });

  test('a struct never reads an inherited member as a property value', () => {
    const shaped = struct<{ toString?: string }>({ toString: optional(str()) });
    expect(decodeProperties(shaped, {})).toEqual({});
  });
});
