// The hub's password policy (http-api.md §1.11): 8–128 characters, a lowercase letter, an
// uppercase letter and a digit. Returns the validation keys the hub would answer with.
export const PASSWORD_RULES = [
  'validation.passwordMinLength',
  'validation.passwordMaxLength',
  'validation.passwordLowercase',
  'validation.passwordUppercase',
  'validation.passwordDigit',
] as const;
export type PasswordRule = (typeof PASSWORD_RULES)[number];

export function passwordProblems(password: string): PasswordRule[] {
  const out: PasswordRule[] = [];
  if (password.length < 8) out.push('validation.passwordMinLength');
  if (password.length > 128) out.push('validation.passwordMaxLength');
  if (!/[a-z]/.test(password)) out.push('validation.passwordLowercase');
  if (!/[A-Z]/.test(password)) out.push('validation.passwordUppercase');
  if (!/[0-9]/.test(password)) out.push('validation.passwordDigit');
  return out;
}
