export { MPServerless as default, MPServerless } from './index.mjs';
