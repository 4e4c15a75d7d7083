export default function leftPad(s) {
  return " " + s;
}
