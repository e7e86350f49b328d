export * from './core/provider';
export * from './core/errors';
export * from './wickr/network';
export * from './chime/app-instance';
