import * as path from 'path';
import { UsersFileFormat } from '../../lambda/wickr/users.wire';

/**
 * A file of users, uploaded as an S3 asset so that thousands of users fit one stack:
 * the template carries only the asset's bucket, key and SHA-256. The file is parsed and
 * checked at synth time.
 *
 * CSV: a header row naming some of the columns `username` (required), `firstName`,
 * `lastName`, `group` (a key of `WickrUsersProps.securityGroups`; empty for the default
 * group) and `suspended` (`true` or `false`; empty for false), in any order, then one user
 * per row. RFC 4180 quoting (`"Smith, Jr"`, `""` for a quote); fields are trimmed; blank
 * lines are skipped. JSON: an array of objects with the same keys, `suspended` a boolean.
 *
 * ```csv
 * username,firstName,lastName,group,suspended
 * ann@example.com,Ann,Smith,analysts,
 * bob@example.com,Bob,"Jones, Jr",,true
 * ```
 */
export class UsersFile {
  /** A CSV file. */
  public static fromCsv(filePath: string): UsersFile {
    return new UsersFile(filePath, 'csv');
  }

  /** A JSON file. */
  public static fromJson(filePath: string): UsersFile {
    return new UsersFile(filePath, 'json');
  }

  /** A `.csv` or `.json` file, the format told by the extension. */
  public static fromFile(filePath: string): UsersFile {
    const ext = path.extname(filePath).toLowerCase();
    if (ext === '.csv') return UsersFile.fromCsv(filePath);
    if (ext === '.json') return UsersFile.fromJson(filePath);
    throw new Error(`UsersFile.fromFile: cannot tell the format of "${filePath}" from its extension; use a .csv or .json file, or UsersFile.fromCsv / fromJson`);
  }

  private constructor(
    /** The file's path. */
    public readonly filePath: string,
    /** `csv` or `json`. */
    public readonly format: UsersFileFormat,
  ) {}
}
