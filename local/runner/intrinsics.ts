/** Template evaluation lives with the handler, which evaluates deployed templates for drift; the runner uses the same. */
export * from '../../lambda/core/template';
