export { emailAsTyped, isEmailAddress, normaliseEmail } from './email-address.js'
