/** Template evaluation lives with the handler, which evaluates deployed templates for drift; the runner uses the same. */
export * from '../../lambda/core/template';
export * from '../../lambda/core/parameters';
export * from '../../lambda/core/intrinsics';
export * from '../../lambda/core/references';
export * from '../../lambda/core/property-values';
